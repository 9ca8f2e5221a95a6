package dev.stratus.kernel.execution;

import java.util.List;

/** Java code in a cell did not compile; each problem knows its line, column and the code under it. */
public final class CompilationException extends Exception {

    private final List<Problem> problems;

    CompilationException(List<Problem> problems) {
        super(problems.get(0).summary());
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    /** One compiler error, positioned in the cell (1-based line and column). */
    public record Problem(int line, int column, String message, String codeLine) {
        public String summary() {
            return "line " + line + ", column " + column + ": " + message.lines().findFirst().orElse("");
        }

        /** The message, the offending line, and a caret under the column. */
        public List<String> traceback() {
            String caret = " ".repeat(Math.max(0, column - 1)) + "^";
            List<String> lines = new java.util.ArrayList<>();
            lines.add("Compile error at line " + line + ", column " + column + ": " + message.lines().findFirst().orElse(""));
            // JShell wraps snippets in a nameless class; "location: class" would only confuse.
            message.lines().skip(1).map(String::strip).filter(l -> !l.equals("location: class"))
                    .forEach(l -> lines.add("  " + l));
            lines.add("    " + codeLine);
            lines.add("    " + caret);
            return lines;
        }
    }
}
