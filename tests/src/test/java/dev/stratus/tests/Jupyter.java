package dev.stratus.tests;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Drives real kernels through the real Jupyter client (Debian's {@code /usr/bin/jupyter} and
 * {@code /usr/bin/python3} with jupyter_client), for end-to-end tests. JUnit-free on purpose: the
 * tests and anything else in the module can use it.
 *
 * <ul>
 *   <li>{@link #installKernel} lands the stratus kernelspec in a temp prefix and gives the
 *       {@code JUPYTER_PATH} that finds it.</li>
 *   <li>{@link #session} collects steps and runs {@code kernel_session.py} once: one kernel process
 *       for all the steps, results as parsed JSON ({@link SessionResult}).</li>
 *   <li>{@link #executeNotebook} runs {@code jupyter nbconvert --execute} on a notebook, which
 *       {@link Notebook} can write on the fly.</li>
 *   <li>{@link #resultText}, {@link #streamText}, {@link #error}, ... read outputs; they work alike on
 *       session results and on executed notebook cells (both use nbformat's output shape).</li>
 * </ul>
 */
public final class Jupyter {
    public static final String KERNEL_NAME = "stratus";
    /** Debian's; the python3 on PATH may be another interpreter without jupyter_client. */
    public static final Path PYTHON = Path.of("/usr/bin/python3");
    public static final Path JUPYTER = Path.of("/usr/bin/jupyter");

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration NOTEBOOK_TIMEOUT = Duration.ofMinutes(10);
    /** How long a timed-out child gets after SIGTERM to shut its kernel down before SIGKILL. */
    private static final Duration KILL_GRACE = Duration.ofSeconds(15);
    private static final int TAIL_CHARS = 4000;
    // serializeNulls: nbformat wants e.g. "execution_count": null present on code cells.
    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().serializeNulls()
            .disableHtmlEscaping().create();

    private Jupyter() {
    }

    // ------------------------------------------------------------------ kernel install

    /**
     * The repository root: failsafe passes it as {@code stratus.repoRoot}; run from an IDE the working
     * directory is usually the tests/ module.
     */
    public static Path repoRoot() {
        String property = System.getProperty("stratus.repoRoot");
        if (property != null) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        Path cwd = Path.of("").toAbsolutePath();
        return Files.isExecutable(cwd.resolve("stratus")) || cwd.getParent() == null ? cwd : cwd.getParent();
    }

    /**
     * Runs {@code <repoRoot>/stratus kernel install --prefix <tempDir>} and returns the JUPYTER_PATH
     * that finds the kernelspec it lands ({@code <tempDir>/share/jupyter}).
     */
    public static Path installKernel(Path repoRoot, Path tempDir) {
        Path launcher = repoRoot.resolve("stratus");
        if (!Files.isExecutable(launcher)) {
            throw new JupyterException("Launcher " + launcher + " is missing or not executable");
        }
        List<String> command = List.of(launcher.toString(), "kernel", "install", "--prefix", tempDir.toString());
        ProcessResult run = exec(command, Map.of(), repoRoot, INSTALL_TIMEOUT);
        Path jupyterPath = tempDir.resolve("share").resolve("jupyter");
        Path kernelJson = jupyterPath.resolve("kernels").resolve(KERNEL_NAME).resolve("kernel.json");
        if (run.exitCode() != 0 || !Files.isRegularFile(kernelJson)) {
            throw new JupyterException("Kernel install failed (exit " + run.exitCode() + ", "
                    + kernelJson + (Files.isRegularFile(kernelJson) ? " exists" : " missing") + "): "
                    + String.join(" ", command) + "\n" + run.outputTail());
        }
        return jupyterPath;
    }

    /** Runs {@code <repoRoot>/stratus args...} from the repository root. */
    public static ProcessResult stratus(String... args) {
        return stratus(Map.of(), args);
    }

    /** The same with {@code env} added to (or replacing entries of) this environment. */
    public static ProcessResult stratus(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(repoRoot().resolve("stratus").toString());
        command.addAll(List.of(args));
        return exec(command, env, repoRoot(), INSTALL_TIMEOUT);
    }

    // ------------------------------------------------------------------ kernel sessions

    /** A session against the {@code stratus} kernelspec found through {@code jupyterPath}. */
    public static KernelSession session(Path jupyterPath) {
        return new KernelSession(jupyterPath);
    }

    /**
     * Steps for one kernel process, run by {@link #run()} through {@code kernel_session.py}
     * (see that script's header for the exact JSON it returns per step).
     */
    public static final class KernelSession {
        private static final double DEFAULT_STEP_TIMEOUT_S = 60;

        private final Path jupyterPath;
        private final JsonArray steps = new JsonArray();
        private String kernelName = KERNEL_NAME;
        private Path kernelLog;
        private Duration startupTimeout = Duration.ofSeconds(120);

        private KernelSession(Path jupyterPath) {
            this.jupyterPath = jupyterPath;
        }

        /** Another kernelspec than {@code stratus} (e.g. {@code python3} to check the harness). */
        public KernelSession kernel(String name) {
            this.kernelName = name;
            return this;
        }

        /** Where the kernel's stdout/stderr go; by default a temp file. */
        public KernelSession kernelLog(Path log) {
            this.kernelLog = log;
            return this;
        }

        public KernelSession startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        public KernelSession execute(String code) {
            return step(op("execute", code));
        }

        public KernelSession execute(String code, Duration timeout) {
            JsonObject step = op("execute", code);
            step.addProperty("timeout", seconds(timeout));
            return step(step);
        }

        /** Sends the cell, interrupts the kernel {@code after} later, collects until idle. */
        public KernelSession executeInterrupt(String code, Duration after) {
            JsonObject step = op("execute_interrupt", code);
            step.addProperty("after_seconds", seconds(after));
            return step(step);
        }

        public KernelSession complete(String code, int cursorPos) {
            JsonObject step = op("complete", code);
            step.addProperty("cursor_pos", cursorPos);
            return step(step);
        }

        public KernelSession inspect(String code, int cursorPos, int detailLevel) {
            JsonObject step = op("inspect", code);
            step.addProperty("cursor_pos", cursorPos);
            step.addProperty("detail_level", detailLevel);
            return step(step);
        }

        public KernelSession isComplete(String code) {
            return step(op("is_complete", code));
        }

        public KernelSession kernelInfo() {
            return step(op("kernel_info", null));
        }

        public KernelSession restart() {
            return step(op("restart", null));
        }

        /** Any step as kernel_session.py takes it, e.g. with "silent" or "store_history". */
        public KernelSession step(JsonObject step) {
            steps.add(step);
            return this;
        }

        /**
         * Runs all steps in one kernel and returns the results. Throws {@link JupyterException} when
         * the harness did not get an answer for every step (kernel did not start, a step timed out,
         * the kernel died); a cell that fails in the kernel (status "error") is a normal result.
         */
        public SessionResult run() {
            SessionResult result = runLenient();
            if (!result.ok()) {
                throw new JupyterException("Kernel session failed: " + result.describeProblems());
            }
            return result;
        }

        /** Like {@link #run()}, but returns timeouts and kernel deaths as results to assert on. */
        public SessionResult runLenient() {
            try {
                Path stepsFile = Files.createTempFile("kernel-steps-", ".json");
                stepsFile.toFile().deleteOnExit();
                Files.writeString(stepsFile, steps.toString(), StandardCharsets.UTF_8);
                Path log = kernelLog;
                if (log == null) {
                    log = Files.createTempFile("kernel-" + kernelName + "-", ".log");
                    log.toFile().deleteOnExit();
                }
                List<String> command = List.of(PYTHON.toString(), script("kernel_session.py").toString(),
                        "--kernel", kernelName,
                        "--kernel-log", log.toString(),
                        "--startup-timeout", Double.toString(seconds(startupTimeout)),
                        stepsFile.toString());
                ProcessResult run = exec(command, Map.of("JUPYTER_PATH", jupyterPath.toString()), null,
                        overallTimeout());
                JsonObject doc;
                try {
                    doc = JsonParser.parseString(run.stdout()).getAsJsonObject();
                } catch (JsonParseException | IllegalStateException e) {
                    throw new JupyterException("kernel_session.py gave no JSON document (exit "
                            + run.exitCode() + (run.timedOut() ? ", timed out" : "") + ")\n" + run.outputTail());
                }
                return new SessionResult(doc, log, run);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The script bounds every step itself; this only catches a harness that hangs anyway. */
        private Duration overallTimeout() {
            double total = seconds(startupTimeout) + 60;
            for (JsonElement step : steps) {
                JsonElement timeout = step.getAsJsonObject().get("timeout");
                total += (timeout != null ? timeout.getAsDouble() : DEFAULT_STEP_TIMEOUT_S) + 15;
            }
            return Duration.ofMillis((long) (total * 1000));
        }

        private static JsonObject op(String op, String code) {
            JsonObject step = new JsonObject();
            step.addProperty("op", op);
            if (code != null) {
                step.addProperty("code", code);
            }
            return step;
        }
    }

    /** The JSON document kernel_session.py printed, with accessors for what tests look at. */
    public static final class SessionResult {
        private final JsonObject doc;
        private final Path kernelLog;
        private final ProcessResult process;

        SessionResult(JsonObject doc, Path kernelLog, ProcessResult process) {
            this.doc = doc;
            this.kernelLog = kernelLog;
            this.process = process;
        }

        public JsonObject json() {
            return doc;
        }

        /** True when the kernel started and every step got its answer. */
        public boolean ok() {
            return doc.has("ok") && doc.get("ok").getAsBoolean();
        }

        /** start_kernel() until the kernel answered kernel_info on shell and iopub. */
        public double startupMs() {
            return doc.get("startup_ms").getAsDouble();
        }

        public JsonObject kernelInfo() {
            return doc.getAsJsonObject("kernel_info");
        }

        /** How the kernel ended: "ShutdownRequest" when on its shutdown_request alone, else the signal it needed. */
        public String shutdown() {
            return doc.has("shutdown") && !doc.get("shutdown").isJsonNull() ? doc.get("shutdown").getAsString() : null;
        }

        public int size() {
            return doc.getAsJsonArray("results").size();
        }

        /** The result of step {@code index} (0-based, in the order the steps were added). */
        public JsonObject step(int index) {
            return doc.getAsJsonArray("results").get(index).getAsJsonObject();
        }

        /** The outputs of an execute step. */
        public JsonArray outputs(int index) {
            return step(index).getAsJsonArray("outputs");
        }

        public String status(int index) {
            return string(step(index), "status");
        }

        /** What the kernel wrote to its stdout/stderr (its log file). */
        public String kernelLog() {
            try {
                return Files.exists(kernelLog) ? Files.readString(kernelLog, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                return "(cannot read " + kernelLog + ": " + e + ")";
            }
        }

        /** For assertion messages: the whole document plus the tails of the logs. */
        public String describe() {
            return PRETTY.toJson(doc) + "\n--- kernel log tail ---\n" + tail(kernelLog())
                    + "\n--- kernel_session.py stderr tail ---\n" + tail(process.stderr());
        }

        String describeProblems() {
            StringBuilder sb = new StringBuilder();
            if (doc.has("error") && !doc.get("error").isJsonNull()) {
                sb.append(doc.get("error").getAsString()).append('\n');
            }
            for (int i = 0; i < size(); i++) {
                JsonObject r = step(i);
                if (r.has("harness_error")) {
                    sb.append("step ").append(i).append(" (").append(string(r, "op")).append("): ")
                            .append(r.get("harness_error").getAsString()).append('\n');
                }
            }
            return sb + "--- kernel log tail ---\n" + tail(kernelLog())
                    + "\n--- kernel_session.py stderr tail ---\n" + tail(process.stderr());
        }

        @Override
        public String toString() {
            return doc.toString();
        }
    }

    /** Where a script of resources/jupyter/ is: on disk in target/test-classes, else extracted from the jar. */
    static synchronized Path script(String fileName) throws IOException {
        URL url = Jupyter.class.getResource("/jupyter/" + fileName);
        if (url == null) {
            throw new JupyterException("jupyter/" + fileName + " is not on the test classpath");
        }
        if ("file".equals(url.getProtocol())) {
            try {
                return Path.of(url.toURI());
            } catch (URISyntaxException e) {
                throw new IOException(e);
            }
        }
        Path copy = Files.createTempFile(fileName.replace(".py", "-"), ".py");
        copy.toFile().deleteOnExit();
        try (InputStream in = url.openStream()) {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        return copy;
    }

    // ------------------------------------------------------------------ notebooks

    /** {@link #executeNotebook(Path, Path, Path, String, Duration)} with the stratus kernel. */
    public static JsonObject executeNotebook(Path jupyterPath, Path notebookIpynb, Path outDir) {
        return executeNotebook(jupyterPath, notebookIpynb, outDir, KERNEL_NAME, NOTEBOOK_TIMEOUT);
    }

    /**
     * Runs {@code jupyter nbconvert --to notebook --execute --allow-errors} (120 s per cell) and
     * returns the executed notebook, written to {@code outDir} under the same file name (so an
     * {@code outDir} equal to the notebook's folder overwrites it). Cell errors are outputs, not
     * failures; a kernel that does not start, or nbconvert failing otherwise, throws.
     */
    public static JsonObject executeNotebook(Path jupyterPath, Path notebookIpynb, Path outDir,
                                             String kernelName, Duration processTimeout) {
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = List.of(JUPYTER.toString(), "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.kernel_name=" + kernelName,
                "--ExecutePreprocessor.timeout=120",
                "--allow-errors",
                "--output-dir", outDir.toString(),
                notebookIpynb.toString());
        ProcessResult run = exec(command, Map.of("JUPYTER_PATH", jupyterPath.toString()), null, processTimeout);
        Path executed = outDir.resolve(notebookIpynb.getFileName());
        if (run.exitCode() != 0 || !Files.isRegularFile(executed)) {
            throw new JupyterException("nbconvert --execute failed (exit " + run.exitCode()
                    + (run.timedOut() ? ", timed out after " + processTimeout : "") + "): "
                    + String.join(" ", command) + "\n" + run.outputTail());
        }
        return readJson(executed);
    }

    public static JsonObject readJson(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an nbformat 4.4 notebook for the stratus kernel from code cell sources. */
    public static final class Notebook {
        private final JsonArray cells = new JsonArray();
        private String kernelName = KERNEL_NAME;
        private String language = "java";

        public static Notebook create() {
            return new Notebook();
        }

        public static Notebook of(String... codeCells) {
            Notebook nb = new Notebook();
            for (String source : codeCells) {
                nb.code(source);
            }
            return nb;
        }

        /** Another kernelspec in the metadata (nbconvert is told the kernel name separately). */
        public Notebook kernel(String name, String language) {
            this.kernelName = name;
            this.language = language;
            return this;
        }

        public Notebook code(String source) {
            JsonObject cell = cell("code", source);
            cell.add("execution_count", null);
            cell.add("outputs", new JsonArray());
            cells.add(cell);
            return this;
        }

        public Notebook markdown(String source) {
            cells.add(cell("markdown", source));
            return this;
        }

        public JsonObject toJson() {
            JsonObject kernelspec = new JsonObject();
            kernelspec.addProperty("name", kernelName);
            kernelspec.addProperty("display_name", kernelName);
            kernelspec.addProperty("language", language);
            JsonObject languageInfo = new JsonObject();
            languageInfo.addProperty("name", language);
            JsonObject metadata = new JsonObject();
            metadata.add("kernelspec", kernelspec);
            metadata.add("language_info", languageInfo);
            JsonObject nb = new JsonObject();
            nb.add("cells", cells.deepCopy());
            nb.add("metadata", metadata);
            nb.addProperty("nbformat", 4);
            nb.addProperty("nbformat_minor", 4);
            return nb;
        }

        /** Writes the notebook to {@code file} and returns that path. */
        public Path write(Path file) {
            try {
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                Files.writeString(file, PRETTY.toJson(toJson()) + "\n", StandardCharsets.UTF_8);
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static JsonObject cell(String type, String source) {
            JsonObject cell = new JsonObject();
            cell.addProperty("cell_type", type);
            cell.add("metadata", new JsonObject());
            cell.addProperty("source", source);
            return cell;
        }
    }

    // ------------------------------------------------------------------ reading outputs

    /** The cells of a notebook, all types (index as in the notebook). */
    public static JsonArray cells(JsonObject notebook) {
        return notebook.getAsJsonArray("cells");
    }

    /** The outputs of cell {@code index} (counting all cells, markdown included). */
    public static JsonArray cellOutputs(JsonObject notebook, int index) {
        JsonObject cell = cells(notebook).get(index).getAsJsonObject();
        JsonArray outputs = cell.getAsJsonArray("outputs");
        return outputs != null ? outputs : new JsonArray();
    }

    /** The text/plain of the execute_result among {@code outputs}, or null when there is none. */
    public static String resultText(JsonArray outputs) {
        for (JsonElement e : outputs) {
            JsonObject out = e.getAsJsonObject();
            if ("execute_result".equals(string(out, "output_type"))) {
                return mimeText(out, "text/plain");
            }
        }
        return null;
    }

    /** One MIME type's content of an execute_result/display_data output, as text, or null. */
    public static String mimeText(JsonObject output, String mimeType) {
        JsonObject data = output.getAsJsonObject("data");
        return data != null && data.has(mimeType) ? joinText(data.get(mimeType)) : null;
    }

    /** All of one stream ("stdout" or "stderr"), concatenated; "" when there is none. */
    public static String streamText(JsonArray outputs, String name) {
        StringBuilder sb = new StringBuilder();
        for (JsonElement e : outputs) {
            JsonObject out = e.getAsJsonObject();
            if ("stream".equals(string(out, "output_type")) && name.equals(string(out, "name"))) {
                sb.append(joinText(out.get("text")));
            }
        }
        return sb.toString();
    }

    public static String stdout(JsonArray outputs) {
        return streamText(outputs, "stdout");
    }

    public static String stderr(JsonArray outputs) {
        return streamText(outputs, "stderr");
    }

    /** The outputs of one type (e.g. "display_data"), in order. */
    public static List<JsonObject> outputsOfType(JsonArray outputs, String outputType) {
        List<JsonObject> found = new ArrayList<>();
        for (JsonElement e : outputs) {
            if (outputType.equals(string(e.getAsJsonObject(), "output_type"))) {
                found.add(e.getAsJsonObject());
            }
        }
        return found;
    }

    /** The first error output, or null. */
    public static JsonObject error(JsonArray outputs) {
        List<JsonObject> errors = outputsOfType(outputs, "error");
        return errors.isEmpty() ? null : errors.get(0);
    }

    /** The first error's ename, or null when no output is an error. */
    public static String ename(JsonArray outputs) {
        JsonObject error = error(outputs);
        return error == null ? null : string(error, "ename");
    }

    /** The first error's evalue, or null when no output is an error. */
    public static String evalue(JsonArray outputs) {
        JsonObject error = error(outputs);
        return error == null ? null : string(error, "evalue");
    }

    /** nbformat stores multiline strings either as one string or as a list of lines. */
    public static String joinText(JsonElement text) {
        if (text == null || text.isJsonNull()) {
            return null;
        }
        if (text.isJsonArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonElement line : text.getAsJsonArray()) {
                sb.append(line.getAsString());
            }
            return sb.toString();
        }
        return text.isJsonPrimitive() ? text.getAsString() : text.toString();
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    // ------------------------------------------------------------------ processes

    /** A finished (or killed) child process; stdout and stderr are captured whole. */
    public record ProcessResult(List<String> command, int exitCode, boolean timedOut, String stdout, String stderr,
                                Duration elapsed) {
        /** For failure messages: the ends of stderr and stdout. */
        public String outputTail() {
            return "--- stderr (tail) ---\n" + tail(stderr) + "\n--- stdout (tail) ---\n" + tail(stdout);
        }
    }

    /**
     * Runs a command to completion with a timeout. Output goes to temp files (no pipe to drain, so a
     * chatty child cannot block). The child's environment drops PYTHONPATH/PYTHONHOME so Debian's
     * Python is not pointed at another interpreter's packages. On timeout the child gets SIGTERM and
     * 15 s to shut its kernel down; then it and every process it had started
     * (kernels run in their own session, so they would survive it) are killed.
     */
    public static ProcessResult exec(List<String> command, Map<String, String> env, Path workDir, Duration timeout) {
        long start = System.nanoTime();
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("proc-", ".out");
            err = Files.createTempFile("proc-", ".err");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            pb.environment().remove("PYTHONPATH");
            pb.environment().remove("PYTHONHOME");
            pb.environment().putAll(env);
            Process process = pb.start();
            boolean timedOut = !process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (timedOut) {
                List<ProcessHandle> children = process.descendants().toList();
                process.destroy();
                if (!process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
                children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            }
            return new ProcessResult(command, timedOut ? -1 : process.exitValue(), timedOut,
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            throw new JupyterException("Cannot run " + String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JupyterException("Interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }

    static String tail(String text) {
        if (text == null || text.isBlank()) {
            return "(empty)";
        }
        return text.length() <= TAIL_CHARS ? text : "..." + text.substring(text.length() - TAIL_CHARS);
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    /** A harness failure: the kernel or Jupyter did not do what the test needed to observe. */
    public static final class JupyterException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public JupyterException(String message) {
            super(message);
        }

        public JupyterException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
