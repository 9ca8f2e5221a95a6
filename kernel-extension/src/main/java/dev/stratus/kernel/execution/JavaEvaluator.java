package dev.stratus.kernel.execution;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.SourceCodeAnalysis.Suggestion;
import jdk.jshell.UnresolvedReferenceException;

/**
 * Evaluates Java source with JShell, in this JVM: splits it into snippets, reports compile
 * errors with their position, and hands back the real value of a trailing expression and the
 * real exception object of a failure.
 */
public final class JavaEvaluator implements AutoCloseable {

    /** The value of code whose last snippet is not an expression. */
    public static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "(no value)";
        }
    };

    private final SnippetLoader loader = new SnippetLoader();
    private final UserCodeRunner runner = new UserCodeRunner(loader.classLoader());
    private final InProcessExecutionControl control;
    private final JShell shell;
    /** Where each snippet came from, so stack frames can name a cell and a line. */
    private final Map<String, SourceLocation> snippetSources = new ConcurrentHashMap<>();
    /** User-code frames of exceptions thrown by snippets, for the traceback. */
    private final Map<Throwable, List<String>> userFrames = new WeakHashMap<>();
    private final List<String> classPath = new ArrayList<>();
    private volatile boolean evaluating;

    public JavaEvaluator() {
        this.control = new InProcessExecutionControl(loader, runner);
        this.shell = JShell.builder()
                .executionEngine(control.asProvider(), Map.of())
                .fileManager(IndexKeepingFileManager::new)
                .compilerOptions("-Xlint:none", "-proc:none")
                .build();
    }

    public UserCodeRunner runner() {
        return runner;
    }

    /** The loader of snippets and added jars; extensions in added jars are found through it. */
    public ClassLoader classLoader() {
        return loader.classLoader();
    }

    /**
     * Evaluates {@code code}, which starts at line {@code firstLine} (0-based) of cell
     * {@code cellNumber}. Returns the value of a trailing expression, or {@link #NO_VALUE}.
     */
    public Object eval(String code, int cellNumber, int firstLine) throws Exception {
        if (evaluating) {
            throw new IllegalStateException("Java code cannot be evaluated from inside another Java statement:"
                    + " put the magic on a line of its own");
        }
        evaluating = true;
        try {
            return evalSnippets(code, cellNumber, firstLine);
        } finally {
            evaluating = false;
            control.forgetValues();
        }
    }

    private Object evalSnippets(String code, int cellNumber, int firstLine) throws Exception {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        Object result = NO_VALUE;
        String remaining = code;
        while (!remaining.isBlank()) {
            int consumed = code.length() - remaining.length();
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            String source;
            if (info.completeness() == Completeness.EMPTY) {
                break;
            } else if (info.completeness().isComplete()) {
                source = info.source();
                remaining = info.remaining();
            } else {
                // Incomplete or unparsable: let the compiler say what is wrong with the rest.
                source = remaining;
                remaining = "";
            }
            // Where the snippet's source starts in the code, whether JShell kept its leading whitespace or not.
            int start = consumed + leadingWhitespace(code.substring(consumed)) - leadingWhitespace(source);
            result = evalSnippet(source, code, start, cellNumber, firstLine);
        }
        return result;
    }

    private Object evalSnippet(String source, String code, int start, int cellNumber, int firstLine) throws Exception {
        List<SnippetEvent> events = shell.eval(source);
        if (runner.wasInterrupted()) {
            throw UserCodeRunner.interruptedException();
        }
        if (events.isEmpty()) {
            return NO_VALUE;
        }
        SnippetEvent event = events.get(0);
        Snippet snippet = event.snippet();
        // Stack frames count lines from the snippet's first non-blank character.
        int startLine = firstLine + lineOf(code, start + leadingWhitespace(source));
        snippetSources.put(snippet.id(), new SourceLocation(cellNumber, startLine));
        if (event.status() == Snippet.Status.REJECTED) {
            throw compilationError(snippet, code, start, firstLine);
        }
        for (SnippetEvent e : events) {
            if (e.exception() != null) {
                throw userException(e.exception());
            }
        }
        if (event.status() == Snippet.Status.RECOVERABLE_DEFINED
                || event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
            // Declared but refers to something not yet defined: JShell accepts it, as does the kernel.
            return NO_VALUE;
        }
        if (snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) {
            Object value = control.takeValue(event.value());
            // JShell keeps each expression's value as a variable ($1, $2...) that every later snippet
            // imports, so compiling gets slower with every cell; nobody names them in a notebook.
            shell.drop(snippet);
            return value;
        }
        return snippet.kind() == Snippet.Kind.EXPRESSION ? control.takeValue(event.value()) : NO_VALUE;
    }

    private CompilationException compilationError(Snippet snippet, String code, int start, int firstLine) {
        List<CompilationException.Problem> problems = new ArrayList<>();
        shell.diagnostics(snippet).filter(Diag::isError).forEach(diag -> {
            int offset = start + (int) Math.max(0, diag.getPosition() >= 0 ? diag.getPosition() : diag.getStartPosition());
            offset = Math.min(offset, code.length());
            int line = lineOf(code, offset);
            int lineStart = code.lastIndexOf('\n', offset - 1) + 1;
            int lineEnd = code.indexOf('\n', offset);
            String codeLine = code.substring(lineStart, lineEnd < 0 ? code.length() : lineEnd);
            problems.add(new CompilationException.Problem(firstLine + line + 1, offset - lineStart + 1,
                    diag.getMessage(Locale.ROOT), codeLine));
        });
        if (problems.isEmpty()) {
            String codeLine = code.substring(start).lines().findFirst().orElse("");
            problems.add(new CompilationException.Problem(firstLine + lineOf(code, start) + 1, 1,
                    "this code is not valid Java: " + snippet.kind().name().toLowerCase(Locale.ROOT) + " rejected",
                    codeLine));
        }
        return new CompilationException(problems);
    }

    private Exception userException(JShellException failure) {
        if (failure instanceof UnresolvedReferenceException unresolved) {
            String missing = shell.unresolvedDependencies(unresolved.getSnippet()).collect(java.util.stream.Collectors.joining(", "));
            return new IllegalStateException(unresolved.getSnippet().source().strip()
                    + " cannot run yet: first define " + missing);
        }
        Throwable thrown = control.takeLastUserException();
        Exception reported;
        if (thrown instanceof Exception e) {
            reported = e;
        } else if (thrown != null) {
            reported = new UserCodeError(thrown);
        } else {
            reported = failure;
        }
        List<String> frames = new ArrayList<>();
        if (failure instanceof EvalException) {
            for (StackTraceElement frame : failure.getStackTrace()) {
                String file = frame.getFileName();
                if (file != null && file.startsWith("#")) {
                    frames.add("    at " + describeFrame(frame, snippetSources.get(file.substring(1))));
                }
            }
        }
        synchronized (userFrames) {
            userFrames.put(reported, frames);
        }
        return reported;
    }

    private static String describeFrame(StackTraceElement frame, SourceLocation location) {
        String where = location == null
                ? "line " + frame.getLineNumber()
                : "cell " + location.cellNumber() + ", line " + (location.firstLine() + frame.getLineNumber());
        String method = frame.getMethodName();
        if (method.isEmpty() || method.equals("do_it$")) {
            return where;
        }
        // JShell hides its wrapper class: top-level methods have no class name.
        String owner = frame.getClassName().isEmpty() ? "" : frame.getClassName() + ".";
        return owner + method + " (" + where + ")";
    }

    /** The frames of user code for an exception thrown by a snippet, or an empty list. */
    public List<String> userFrames(Throwable thrown) {
        synchronized (userFrames) {
            return userFrames.getOrDefault(thrown, List.of());
        }
    }

    /** Is this Java input complete, incomplete, or invalid? */
    public Completeness completeness(String code) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = code;
        Completeness last = Completeness.EMPTY;
        while (!remaining.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            last = info.completeness();
            if (!last.isComplete()) {
                return last;
            }
            remaining = info.remaining();
        }
        return last;
    }

    /** Completion candidates at {@code cursor}; {@code anchor[0]} receives where the replaced text starts. */
    public List<String> complete(String code, int cursor, int[] anchor) {
        List<Suggestion> suggestions = shell.sourceCodeAnalysis().completionSuggestions(code, cursor, anchor);
        Set<String> ordered = new LinkedHashSet<>();
        suggestions.stream().filter(Suggestion::matchesType).forEach(s -> ordered.add(s.continuation()));
        suggestions.forEach(s -> ordered.add(s.continuation()));
        return new ArrayList<>(ordered);
    }

    /** Signatures and javadoc (where the JDK ships sources) of what is at {@code cursor}. */
    public List<SourceCodeAnalysis.Documentation> documentation(String code, int cursor) {
        return shell.sourceCodeAnalysis().documentation(code, cursor, true);
    }

    /** Adds jars or folders to what snippets compile and run against. */
    public void addToClassPath(String entry) {
        shell.addToClasspath(entry);
        classPath.add(entry);
    }

    /** The kernel's own class path followed by everything added since. */
    public List<String> classPath() {
        List<String> all = new ArrayList<>(List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)));
        all.addAll(classPath);
        return all;
    }

    @Override
    public void close() {
        shell.close();
    }

    private static int leadingWhitespace(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int lineOf(String code, int offset) {
        int line = 0;
        for (int i = 0; i < offset && i < code.length(); i++) {
            if (code.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private record SourceLocation(int cellNumber, int firstLine) {
    }

    /** A {@link Throwable} that is not an {@link Exception} (a StackOverflowError, say), reported as itself. */
    public static final class UserCodeError extends Exception {
        UserCodeError(Throwable error) {
            super(error.getClass().getName() + ": " + error.getMessage(), error);
        }
    }
}
