package dev.stratus.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

import io.github.spencerpark.jupyter.channels.ShellChannel;
import io.github.spencerpark.jupyter.channels.ShellHandler;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.channels.StdinChannel;
import io.github.spencerpark.jupyter.messages.ContentType;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.publish.PublishStatus;
import io.github.spencerpark.jupyter.messages.reply.ErrorReply;
import io.github.spencerpark.jupyter.messages.reply.ExecuteReply;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;

/**
 * basekernel's handling of {@code execute_request}, with what of the messaging spec it leaves out. A {@code silent}
 * request runs quietly: only its busy and idle statuses reach IOPub (no input, outputs or result), and it takes no
 * execution count (its reply carries the last cell's, as ipykernel's does). The cells that ask to be in the history
 * ({@code store_history}, not {@code silent}) go into it. And when a cell that asked to stop on error
 * ({@code stop_on_error}, as Run All asks) fails, the execute requests already waiting behind it are answered
 * {@code aborted} instead of run, until none is left waiting, as ipykernel does: Run All stops at the first error
 * rather than running every later cell against what the failed one did not define.
 */
final class ExecuteRequests implements ShellHandler<ExecuteRequest> {

    private static final Logger LOG = Logger.getLogger(ExecuteRequests.class.getName());

    private final ShellHandler<ExecuteRequest> basekernel;
    private final CellHistory history;
    /** basekernel's execution count: the number it gives the next cell it runs. */
    private final AtomicInteger executionCount;
    private final BooleanSupplier lastCellFailed;
    private final BooleanSupplier requestWaiting;
    /** Only touched on the shell channel's thread, which handles one request at a time. */
    private boolean aborting;

    ExecuteRequests(ShellHandler<ExecuteRequest> basekernel, CellHistory history, AtomicInteger executionCount,
            BooleanSupplier lastCellFailed, BooleanSupplier requestWaiting) {
        this.basekernel = basekernel;
        this.history = history;
        this.executionCount = executionCount;
        this.lastCellFailed = lastCellFailed;
        this.requestWaiting = requestWaiting;
    }

    @Override
    public void handle(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        ExecuteRequest request = message.getContent();
        if (aborting) {
            env.setBusyDeferIdle();
            env.reply(new Aborted());
            aborting = requestWaiting.getAsBoolean();
            return;
        }
        if (request.isSilent()) {
            runQuietly(env, message);
            return;
        }
        if (request.shouldStoreHistory()) {
            history.add(executionCount.get(), request.getCode());
        }
        basekernel.handle(env, message);
        aborting = request.shouldStopOnError() && lastCellFailed.getAsBoolean() && requestWaiting.getAsBoolean();
    }

    private void runQuietly(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        Quiet quiet;
        try {
            quiet = new Quiet(env, executionCount.get() - 1);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warning("cannot run a silent request quietly, so it runs like any other: " + e);
            basekernel.handle(env, message);
            return;
        }
        basekernel.handle(quiet, message);
        quiet.resolveDeferrals(); // its reply and idle status: the channel resolves only the environment it made
        executionCount.decrementAndGet();
    }

    /**
     * basekernel's environment for a request, publishing only the busy and idle statuses, and replying with the count
     * of the last cell run (as the spec has it for a request that stores no history) where basekernel gives the next.
     */
    private static final class Quiet extends ShellReplyEnvironment {

        private final int currentCount;

        Quiet(ShellReplyEnvironment env, int currentCount) throws ReflectiveOperationException {
            super((ShellChannel) env.getShell(), stdin(env), env.getIopub(), env.getContext());
            this.currentCount = currentCount;
        }

        @Override
        public <T extends ContentType<T>> void reply(T content) {
            if (content instanceof ExecuteReply done) {
                super.reply(new ExecuteReply(currentCount, done.getEvaluatedUserExpr()));
            } else {
                super.reply(content);
            }
        }

        @Override
        public void replyError(MessageType<?> type, ErrorReply error) {
            error.setExecutionCount(currentCount);
            super.replyError(type, error);
        }

        private static StdinChannel stdin(ShellReplyEnvironment env) throws ReflectiveOperationException {
            return (StdinChannel) PrivateFields.open(ShellReplyEnvironment.class, "stdin").get(env);
        }

        @Override
        public void publish(Message<?> message) {
            if (message.getContent() instanceof PublishStatus) {
                super.publish(message);
            }
        }
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
