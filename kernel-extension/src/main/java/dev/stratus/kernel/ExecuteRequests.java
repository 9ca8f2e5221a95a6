package dev.stratus.kernel;

import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

import io.github.spencerpark.jupyter.channels.ShellHandler;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.messages.ContentType;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.reply.ExecuteReply;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;

/**
 * basekernel's handling of {@code execute_request}, with two things of the messaging spec it leaves out. The cells that
 * ask to be in the history ({@code store_history}, not {@code silent}) go into it. And when a cell that asked to stop
 * on error ({@code stop_on_error}, as Run All asks) fails, the execute requests already waiting behind it are answered
 * {@code aborted} instead of run, until none is left waiting, as ipykernel does: Run All stops at the first error
 * rather than running every later cell against what the failed one did not define.
 */
final class ExecuteRequests implements ShellHandler<ExecuteRequest> {

    private final ShellHandler<ExecuteRequest> basekernel;
    private final CellHistory history;
    /** The number basekernel gives the next cell it runs. */
    private final IntSupplier nextCellNumber;
    private final BooleanSupplier lastCellFailed;
    private final BooleanSupplier requestsWaiting;
    /** Only touched on the shell channel's thread, which handles one request at a time. */
    private boolean aborting;

    ExecuteRequests(ShellHandler<ExecuteRequest> basekernel, CellHistory history, IntSupplier nextCellNumber,
            BooleanSupplier lastCellFailed, BooleanSupplier requestsWaiting) {
        this.basekernel = basekernel;
        this.history = history;
        this.nextCellNumber = nextCellNumber;
        this.lastCellFailed = lastCellFailed;
        this.requestsWaiting = requestsWaiting;
    }

    @Override
    public void handle(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        ExecuteRequest request = message.getContent();
        if (aborting) {
            env.setBusyDeferIdle();
            env.reply(new Aborted());
            aborting = requestsWaiting.getAsBoolean();
            return;
        }
        if (request.shouldStoreHistory() && !request.isSilent()) {
            history.add(nextCellNumber.getAsInt(), request.getCode());
        }
        basekernel.handle(env, message);
        aborting = request.shouldStopOnError() && lastCellFailed.getAsBoolean() && requestsWaiting.getAsBoolean();
    }

    /** {@code execute_reply} for a cell not run, which basekernel has no status for. */
    private static final class Aborted implements ContentType<Aborted> {

        /** Written by Gson, which reads fields. */
        @SuppressWarnings("unused")
        private final String status = "aborted";

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public MessageType<Aborted> getType() {
            return (MessageType) ExecuteReply.MESSAGE_TYPE;
        }
    }
}
