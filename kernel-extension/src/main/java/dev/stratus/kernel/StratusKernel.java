package dev.stratus.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.stratus.kernel.display.Display;
import dev.stratus.kernel.execution.CompilationException;
import dev.stratus.kernel.execution.JavaEvaluator;
import dev.stratus.kernel.extension.ExtensionLoader;
import dev.stratus.kernel.extension.KernelHost;
import dev.stratus.kernel.magic.CellParser;
import dev.stratus.kernel.magic.Magic;
import dev.stratus.kernel.magic.MagicRegistry;
import dev.stratus.kernel.magic.MagicRuntime;
import dev.stratus.kernel.magic.builtin.ClassPathMagics;
import dev.stratus.kernel.magic.builtin.EnvMagic;
import dev.stratus.kernel.magic.builtin.HelpMagics;
import dev.stratus.kernel.magic.builtin.LoadMagic;
import dev.stratus.kernel.magic.builtin.TimeMagic;
import dev.stratus.kernel.maven.MavenResolver;
import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import io.github.spencerpark.jupyter.messages.request.HistoryRequest;
import io.github.spencerpark.jupyter.messages.request.KernelInfoRequest;
import jdk.jshell.SourceCodeAnalysis.Completeness;

/**
 * The Stratus Jupyter kernel: Java cells run by JShell in this JVM, IJava-style magics, rich
 * display, and extensions that plug in magics and renderers.
 */
public final class StratusKernel extends BaseKernel implements KernelHost {

    /**
     * What every notebook can use without imports. Each star import makes every later snippet
     * compile slower, so only the packages notebooks use most.
     */
    private static final String STANDARD_IMPORTS = String.join("\n",
            "import java.util.*;", "import java.util.stream.*;", "import java.nio.file.*;",
            "import static dev.stratus.kernel.display.Display.*;");
    /** kernel_info's implementation: this kernel (as ipykernel says "ipython"), not the library under it. */
    private static final String IMPLEMENTATION = "stratus";
    private static final Pattern MAGIC_NAME_AT_CURSOR = Pattern.compile("^\\s*(%%?)(\\w*)$");

    private final JavaEvaluator java = new JavaEvaluator();
    private final MagicRegistry magics = new MagicRegistry();
    private final ExtensionLoader extensions = new ExtensionLoader();
    private final CellHistory history = new CellHistory();
    /** Whether the last cell ended in an error; set on the shell channel's thread, which runs cells. */
    private volatile boolean lastCellFailed;
    private final Queue<StartupCode> pendingStartupCode = new ConcurrentLinkedQueue<>();
    /** The shell loops made to wait for requests, once connected. */
    private volatile ShellWaiting shellWaiting;
    /**
     * The startup code (the standard imports, extensions' code) compiles while the kernel connects: javac's first
     * compilations take most of a second, which Jupyter would otherwise wait for before the kernel answers at all.
     */
    private final CompletableFuture<Void> startup;
    private volatile boolean startupFailureReported;

    public StratusKernel() throws Exception {
        Display.registerStandardRenderers(getRenderer());
        Display.bind(this);
        MagicRuntime.bind(magics);
        HelpMagics.create(magics).forEach(magics::register);
        ClassPathMagics.create(this::addToClassPath, java::classPath, () -> Maven.RESOLVER).forEach(magics::register);
        magics.register(TimeMagic.create(this::runCell));
        magics.register(EnvMagic.create());
        magics.register(LoadMagic.create(this::runCell));
        addStartupCode(STANDARD_IMPORTS);
        extensions.installNew(StratusKernel.class.getClassLoader(), this);
        startup = CompletableFuture.runAsync(this::runPendingStartupCode, task -> {
            Thread thread = new Thread(task, "stratus-startup-code");
            thread.setDaemon(true);
            thread.start();
        });
    }

    /**
     * Runs the startup code queued so far (at start, and after a cell part that installed extensions); a piece that
     * fails is named, and the pieces after it wait for the next cell.
     */
    private void runPendingStartupCode() {
        for (StartupCode startupCode; (startupCode = pendingStartupCode.poll()) != null; ) {
            try {
                java.eval(startupCode.code(), 0, 0);
            } catch (Exception e) {
                String firstLine = startupCode.code().strip().lines().findFirst().orElse("");
                String whose = startupCode.extension() == null
                        ? "The kernel's startup code '" + firstLine + "' (added by an extension on its class path)"
                        : "The startup code '" + firstLine + "' of extension " + startupCode.extension();
                throw new IllegalStateException(whose + " failed, and the kernel runs without it: " + e.getMessage()
                        + ". Fix the extension or take its jar off the kernel's class path", e);
            }
        }
    }

    /**
     * JShell serves one caller at a time: whatever uses it waits for the startup code first. A failure of that code is
     * the first cell's error, once; the kernel goes on without it.
     */
    private void awaitStartup() throws Exception {
        try {
            startup.join();
        } catch (CompletionException e) {
            if (!startupFailureReported) {
                startupFailureReported = true;
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }

    /** For requests that have no error to show (completion, inspection): wait, and leave a failure to the next cell. */
    private void awaitStartupQuietly() {
        startup.exceptionally(failure -> null).join();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java dev.stratus.kernel.StratusKernel CONNECTION_FILE (Jupyter passes it; see ./stratus kernel install)");
            System.exit(2);
        }
        keepLogsOutOfCells();
        MessageDates.install();
        KernelConnectionProperties connectionProperties = KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
        JupyterConnection connection = new JupyterConnection(connectionProperties);
        StratusKernel kernel = new StratusKernel();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        kernel.shellWaiting = ShellWaiting.install(connection);
        connection.waitUntilClose();
    }

    /**
     * basekernel's handlers, with what the messaging spec has and they leave out: execute requests run quietly, go into
     * the history and stop on error as asked ({@link ExecuteRequests}); kernel_info and history replies in the shape
     * clients read.
     */
    @Override
    public void becomeHandlerForConnection(JupyterConnection connection) {
        super.becomeHandlerForConnection(connection);
        connection.setHandler(ExecuteRequest.MESSAGE_TYPE, new ExecuteRequests(connection.getHandler(ExecuteRequest.MESSAGE_TYPE),
                history, executionCount, () -> lastCellFailed, ShellWaiting.requestWaiting(connection)));
        connection.setHandler(KernelInfoRequest.MESSAGE_TYPE, (env, request) -> {
            env.setBusyDeferIdle();
            env.reply(new KernelInfo(IMPLEMENTATION, implementationVersion(), getLanguageInfo(), getBanner(),
                    getHelpLinks()));
        });
        connection.setHandler(HistoryRequest.MESSAGE_TYPE, history::answer);
    }

    /** The kernel's version, from its jar's manifest; "unknown" when run from classes, as in its unit tests. */
    private static String implementationVersion() {
        String version = StratusKernel.class.getPackage().getImplementationVersion();
        return version == null ? "unknown" : version;
    }

    /**
     * basekernel logs INFO through java.util.logging, and a console handler created while a cell
     * runs would write into that cell. Bind one handler to the process's real stderr now.
     */
    private static void keepLogsOutOfCells() {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Level level = Level.parse(System.getProperty("stratus.kernel.log", "WARNING"));
        root.setLevel(level);
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(level);
        root.addHandler(handler);
    }

    @Override
    public LanguageInfo getLanguageInfo() {
        return new LanguageInfo.Builder("Java")
                .version(Runtime.version().toString())
                .mimetype("text/x-java-source")
                .fileExtension(".jshell")
                .pygments("java")
                .codemirror("text/x-java")
                .build();
    }

    /** JupyterLab lists these in its Help menu while a notebook uses the kernel. */
    @Override
    public List<LanguageInfo.Help> getHelpLinks() {
        int java = Runtime.version().feature();
        return List.of(
                new LanguageInfo.Help("Java " + java + " API", "https://docs.oracle.com/en/java/javase/" + java + "/docs/api/index.html"),
                new LanguageInfo.Help("JShell", "https://docs.oracle.com/en/java/javase/" + java + "/jshell/introduction-jshell.html"),
                new LanguageInfo.Help("AWS SDK for Java 2.x", "https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/home.html"),
                new LanguageInfo.Help("Amazon SageMaker", "https://docs.aws.amazon.com/sagemaker/latest/dg/whatis.html"));
    }

    @Override
    public String getBanner() {
        return "Stratus: Java " + Runtime.version() + " (JShell) with magics; %lsmagic lists them";
    }

    @Override
    public DisplayData eval(String cell) throws Exception {
        lastCellFailed = true; // until the cell has run and its value is rendered
        awaitStartup();
        java.runner().startCell();
        Object result = runCell(cell, 0);
        DisplayData shown = result == null || result == JavaEvaluator.NO_VALUE ? null : getRenderer().render(result);
        lastCellFailed = false;
        return shown;
    }

    /** Runs a cell's parts in order; the last part's value is the cell's. Also serves %time and %load. */
    private Object runCell(String cell, int firstLine) throws Exception {
        int cellNumber = executionCount.get() - 1; // basekernel counts the cell before it calls eval
        Object result = JavaEvaluator.NO_VALUE;
        for (CellParser.Part part : CellParser.parse(cell)) {
            if (part instanceof CellParser.JavaCode code) {
                result = java.eval(code.code(), cellNumber, firstLine + code.firstLine());
            } else if (part instanceof CellParser.LineMagicCall call) {
                result = java.runner().run(() -> magics.runLine(call.name(), call.args()));
            } else if (part instanceof CellParser.CellMagicCall call) {
                result = java.runner().run(() -> magics.runCell(call.name(), call.args(), call.body()));
            }
            runPendingStartupCode();
        }
        return result;
    }

    private List<String> addToClassPath(List<Path> entries) {
        List<String> added = new ArrayList<>();
        for (Path entry : entries) {
            java.addToClassPath(entry.toString());
            added.add(entry.toString());
        }
        for (String extension : extensions.installNew(java.classLoader(), this)) {
            System.out.println("Installed extension " + extension);
        }
        return added;
    }

    /** Built on first use of %maven, to keep the resolver's start-up cost off the kernel's. */
    private static final class Maven {
        static final MavenResolver RESOLVER = MavenResolver.standard();
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        awaitStartupQuietly();
        int lineStart = code.lastIndexOf('\n', at - 1) + 1;
        Matcher magicName = MAGIC_NAME_AT_CURSOR.matcher(code.substring(lineStart, at));
        if (magicName.matches()) {
            boolean cell = magicName.group(1).length() == 2;
            return new ReplacementOptions(magics.namesStartingWith(magicName.group(2), cell), at - magicName.group(2).length(), at);
        }
        int[] anchor = new int[1];
        List<String> candidates = java.complete(CellParser.javaOnly(code), at, anchor);
        return candidates.isEmpty() ? null : new ReplacementOptions(candidates, anchor[0], at);
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        awaitStartupQuietly();
        String javaText = CellParser.javaOnly(code);
        var docs = java.documentation(javaText, at);
        if (docs.isEmpty()) {
            // JShell documents a method only after its "(": inspect the name under the cursor as a call.
            int end = at;
            while (end < javaText.length() && Character.isJavaIdentifierPart(javaText.charAt(end))) {
                end++;
            }
            String asCall = javaText.substring(0, end) + "(";
            docs = java.documentation(asCall, asCall.length());
        }
        if (docs.isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (var doc : docs) {
            text.append(doc.signature()).append('\n');
            if (doc.javadoc() != null && !doc.javadoc().isBlank()) {
                text.append('\n').append(doc.javadoc().strip()).append("\n\n");
            }
        }
        return new DisplayData(text.toString().strip());
    }

    @Override
    public String isComplete(String code) {
        if (code.strip().startsWith("%%")) {
            // IPython's rule: a cell magic's body may be anything, so it ends at a blank line (a console's second Enter).
            List<String> lines = code.lines().toList();
            return lines.get(lines.size() - 1).isBlank() ? IS_COMPLETE_YES : "";
        }
        awaitStartupQuietly();
        Completeness completeness = java.completeness(CellParser.javaOnly(code));
        return switch (completeness) {
            case COMPLETE, COMPLETE_WITH_SEMI, EMPTY -> IS_COMPLETE_YES;
            case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> "    ";
            case UNKNOWN -> IS_COMPLETE_BAD;
        };
    }

    @Override
    public void interrupt() {
        java.runner().interrupt();
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        // Called on the control channel's thread just before basekernel closes every socket from it.
        if (shellWaiting != null) {
            shellWaiting.stopOtherLoops();
        }
        java.close();
    }

    @Override
    public List<String> formatError(Exception e) {
        if (e instanceof CompilationException compilation) {
            return compilation.problems().stream().flatMap(p -> p.traceback().stream()).toList();
        }
        List<String> lines = new ArrayList<>();
        lines.add(e.getClass().getName() + ": " + e.getMessage());
        lines.addAll(java.userFrames(e));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            lines.add("Caused by: " + cause);
            lines.addAll(java.userFrames(cause));
        }
        return lines;
    }

    @Override
    public void registerMagic(Magic magic) {
        magics.register(magic);
    }

    @Override
    public Renderer renderer() {
        return getRenderer();
    }

    @Override
    public void addStartupCode(String javaCode) {
        pendingStartupCode.add(new StartupCode(javaCode, extensions.installing().orElse(null)));
    }

    /** A piece of startup code and the extension that added it (null when that is not known). */
    private record StartupCode(String code, String extension) {
    }

    @Override
    public void onInterrupt(Runnable hook) {
        java.runner().onInterrupt(hook);
    }
}
