package dev.stratus.kernel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.messages.ContentType;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.reply.HistoryReply;
import io.github.spencerpark.jupyter.messages.request.HistoryRequest;

/**
 * The cells this kernel has run, as they were typed, and its answers to Jupyter's history requests: a console's up
 * arrow (JupyterLab's asks for the last 500 cells, jupyter console's for the last 1,000) and history searches.
 * basekernel leaves those requests unanswered unless given a history, and then answers without the reply's status and
 * with each cell as an object, which clients do not read. Held for the kernel's life only: a restarted kernel is a new,
 * empty session. Outputs are not kept, as IPython by default keeps none.
 */
final class CellHistory {

    /** This kernel's session: Jupyter's requests name it 0 (the current one) or by its number. */
    static final int SESSION = 1;

    record Cell(int number, String input) {
    }

    private final List<Cell> cells = new ArrayList<>();

    synchronized void add(int cellNumber, String input) {
        cells.add(new Cell(cellNumber, input));
    }

    /** Answers a {@code history_request} (basekernel's shell handler signature). */
    void answer(ShellReplyEnvironment env, Message<HistoryRequest> request) {
        env.setBusyDeferIdle();
        env.reply(new Reply(lookUp(request.getContent()), request.getContent().includeOutput()));
    }

    synchronized List<Cell> lookUp(HistoryRequest request) {
        if (request instanceof HistoryRequest.Tail tail) {
            return last(cells, Math.max(tail.getMaxReturnLength(), 0));
        }
        if (request instanceof HistoryRequest.Range range) {
            return range(range.getSessionIndex(), range.getStart(), range.getStop());
        }
        HistoryRequest.Search search = (HistoryRequest.Search) request;
        return search(search.getPattern(), search.getMaxReturnLength(), search.filterUnique());
    }

    /** Cells {@code start} up to, not including, {@code stop} (no upper bound when {@code stop} is 0 or less). */
    private List<Cell> range(int session, int start, int stop) {
        if (session != 0 && session != SESSION) {
            return List.of();
        }
        return cells.stream().filter(cell -> cell.number() >= start && (stop <= 0 || cell.number() < stop)).toList();
    }

    /**
     * The last {@code length} cells (all when 0 or less) whose whole input matches {@code pattern}, a glob as IPython's
     * history search takes ({@code *} any text, {@code ?} one character); when {@code unique}, each input once, at its
     * latest.
     */
    private List<Cell> search(String pattern, int length, boolean unique) {
        Pattern glob = glob(pattern == null ? "*" : pattern);
        List<Cell> matching = cells.stream().filter(cell -> glob.matcher(cell.input()).matches()).toList();
        if (unique) {
            Map<String, Cell> latest = new LinkedHashMap<>();
            matching.forEach(cell -> {
                latest.remove(cell.input());
                latest.put(cell.input(), cell);
            });
            matching = List.copyOf(latest.values());
        }
        return length > 0 ? last(matching, length) : matching;
    }

    private static List<Cell> last(List<Cell> cells, int length) {
        return List.copyOf(cells.subList(Math.max(0, cells.size() - length), cells.size()));
    }

    private static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String piece : glob.split("(?=[*?])|(?<=[*?])")) {
            regex.append(switch (piece) {
                case "*" -> ".*";
                case "?" -> ".";
                default -> Pattern.quote(piece);
            });
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /**
     * {@code history_reply} as the messaging spec has it: its status, and each cell as [session, number, input], or as
     * [session, number, [input, output]] when outputs were asked for (none kept: null).
     */
    private static final class Reply implements ContentType<Reply> {

        /** Written by Gson, which reads fields. */
        @SuppressWarnings("unused")
        private final String status = "ok";
        private final List<Object[]> history;

        Reply(List<Cell> cells, boolean withOutputs) {
            history = cells.stream().map(cell -> new Object[] {SESSION, cell.number(),
                    withOutputs ? new Object[] {cell.input(), null} : cell.input()}).toList();
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public MessageType<Reply> getType() {
            return (MessageType) HistoryReply.MESSAGE_TYPE;
        }
    }
}
