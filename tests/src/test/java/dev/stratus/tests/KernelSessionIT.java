package dev.stratus.tests;

import static dev.stratus.tests.Jupyter.ename;
import static dev.stratus.tests.Jupyter.evalue;
import static dev.stratus.tests.Jupyter.mimeText;
import static dev.stratus.tests.Jupyter.outputsOfType;
import static dev.stratus.tests.Jupyter.resultText;
import static dev.stratus.tests.Jupyter.stderr;
import static dev.stratus.tests.Jupyter.stdout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * The kernel's features through the real Jupyter client (jupyter_client), one kernel process
 * per test class: every step's outputs are what a notebook front end would receive.
 */
class KernelSessionIT {

    @TempDir
    static Path temp;
    static Path jupyterPath;
    static Path extensionJar;
    static Jupyter.SessionResult session;

    /** The steps, named so that each test finds its own. */
    private static final List<String> names = new ArrayList<>();

    @BeforeAll
    static void runOneKernelThroughEverything() throws Exception {
        jupyterPath = Jupyter.installKernel(Jupyter.repoRoot(), temp.resolve("prefix"));
        extensionJar = buildExtensionJar(temp.resolve("ext"));
        Path script = temp.resolve("helpers.jsh");
        Files.writeString(script, "int triple(int x) { return 3 * x; }\ntriple(14)\n");

        Jupyter.KernelSession steps = Jupyter.session(jupyterPath).kernelLog(temp.resolve("kernel.log"));
        // First of all, while the startup code may still be compiling: a name only the standard imports provide.
        steps.complete("Collector", 9);
        names.add("complete before any cell");
        step(steps, "value", "1 + 1");
        step(steps, "several statements", "int a = 20;\nint b = a + 1;\nb * 2");
        step(steps, "declare class", "class Greeter { String hi(String n) { return \"hi \" + n; } }");
        step(steps, "use class", "new Greeter().hi(\"Ada\")");
        step(steps, "streams", "System.out.println(\"to stdout\");\nSystem.err.println(\"to stderr\");\nThread.sleep(300);\nSystem.out.println(\"later\");");
        step(steps, "compile error", "int fine = 1;\nint broken = nothingHere + 1;");
        step(steps, "exception", "int divide(int x, int y) {\n    return x / y;\n}\ndivide(1, 0)");
        step(steps, "html", "html(\"<b>bold</b>\")");
        step(steps, "svg json markdown", "display(svg(\"<svg xmlns='http://www.w3.org/2000/svg'/>\"));\ndisplay(markdown(\"# Title\"));\njson(\"{\\\"a\\\": [1, 2]}\")");
        step(steps, "png", "var img = new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB);\nimg");
        step(steps, "display as", "String shownId = display(\"<i>as html</i>\", \"text/html\");\nshownId.length()");
        step(steps, "clear output", "System.out.println(\"gone\");\nclearOutput();\nSystem.out.println(\"kept\");\nclearOutput(true);\n\"last\"");
        step(steps, "update display", "String id = display(html(\"step 1\"));\nupdateDisplay(id, html(\"step 2\"));\nid");
        step(steps, "lsmagic", "%lsmagic");
        step(steps, "help", "%help maven");
        step(steps, "dash dash help", "%jars --help");
        step(steps, "unknown magic", "%lsmgic");
        step(steps, "time", "%time 6 * 7");
        step(steps, "cell time", "%%time\nint t = 0;\nfor (int i = 0; i < 1000; i++) t += i;\nt");
        step(steps, "env set", "%env STRATUS_GREETING \"hello world\"\nSystem.getenv(\"STRATUS_GREETING\")");
        step(steps, "env secret", "%env MY_SECRET_TOKEN=abcdefghijklmnop");
        step(steps, "env get", "%env STRATUS_GREETING");
        step(steps, "env bad name", "%env 1BAD=x");
        step(steps, "load", "%load " + script);
        step(steps, "load missing", "%load " + temp.resolve("missing.jsh"));
        step(steps, "jars bad glob", "%jars " + temp.resolve("nothing") + "/*.jar");
        step(steps, "jars as value", "List<String> added = %jars " + extensionJar + "\nadded.size()");
        step(steps, "extension magic", "%shout hello there");
        step(steps, "extension startup code", "new Shout(\"quiet\")");
        step(steps, "classpath", "%classpath");
        step(steps, "maven", "List<String> jars = %maven org.apache.commons:commons-lang3:3.14.0\norg.apache.commons.lang3.StringUtils.capitalize(\"maven\")");
        step(steps, "maven bad", "%maven not-a-coordinate");
        step(steps, "nested magic refused", "Object timed = %time 1 + 1");
        step(steps, "message dates", "Thread.sleep(1200);\n1");
        // Run All: cells sent at once; the failing one sleeps so that the ones behind it are surely waiting.
        runAll(steps, "run all stopping", true, "int before = 1;", "Thread.sleep(300);\nthrow new IllegalStateException(\"stop\");",
                "int after = 2;", "after");
        step(steps, "after run all", "before");
        step(steps, "aborted cell did not run", "after");
        runAll(steps, "run all going on", false, "throw new IllegalStateException(\"go on\");", "int ran = 3;", "ran");
        silentStep(steps, "silent cell", "System.out.println(\"unseen\");\nint unseen = 4;\nunseen");
        step(steps, "after silent", "unseen");
        silentStep(steps, "silent error", "throw new IllegalStateException(\"quiet\");");
        JsonObject tail = new JsonObject();
        tail.addProperty("op", "history_tail");
        tail.addProperty("n", 3);
        steps.step(tail);
        names.add("history tail");
        Files.writeString(temp.resolve("notes.txt"), "not java");
        for (String[] bad : BAD_INPUTS) {
            step(steps, bad[0], bad[1].replace("$TEMP", temp.toString()));
        }
        steps.executeInterrupt("int kept = 7;\nlong spins = 0;\nwhile (true) { spins++; }", Duration.ofMillis(2000));
        names.add("interrupt");
        step(steps, "after interrupt", "kept + demo.ext.ShoutExtension.interrupts");
        steps.complete("Strin", 5);
        names.add("complete java");
        // Package names come from JShell's index, built on a thread of its own while the cells above ran.
        steps.complete("import java.ut", 14);
        names.add("complete package");
        steps.complete("%lsm", 4);
        names.add("complete magic");
        steps.inspect("Math.max", 6, 0);
        names.add("inspect");
        steps.isComplete("for (int i = 0; i < 3; i++) {");
        names.add("incomplete");
        steps.isComplete("1 + 1");
        names.add("complete input");
        steps.isComplete("int x = ;;; )");
        names.add("invalid input");
        steps.isComplete("%%time\nint t = 1;");
        names.add("cell magic open");
        steps.isComplete("%%time\nint t = 1;\n\n");
        names.add("cell magic ended by a blank line");
        session = steps.run();
        assertEquals(names.size(), session.size(), "one result per step");
    }

    /** Name, cell, the error's name, and how its one-line message starts. */
    private static final String[][] BAD_INPUTS = {
        {"load not java", "%load $TEMP/notes.txt", "IllegalArgumentException", "%load runs .jsh or .java files; "},
        {"jars nothing", "%jars", "IllegalArgumentException", "%jars needs at least one jar or glob"},
        {"time nothing", "%time", "IllegalArgumentException", "%time needs code to time"},
        {"help two names", "%help time env", "IllegalArgumentException", "%help takes one magic name"},
        {"help unknown", "%help nosuch", "UnknownMagicException", "%nosuch is not a magic"},
        {"unterminated quote", "%env GREETING \"open", "IllegalArgumentException", "unterminated \" in: "},
        {"unknown cell magic", "%%nope\nbody", "UnknownMagicException", "%%nope is not a magic"},
        {"invalid json", "json(\"{bad\")", "IllegalArgumentException", "json(...) needs a valid JSON document"},
        {"env too many words", "%env A B C", "IllegalArgumentException", "%env takes NAME, NAME=VALUE or NAME VALUE"},
    };

    private static void step(Jupyter.KernelSession steps, String name, String code) {
        steps.execute(code, Duration.ofSeconds(120));
        names.add(name);
    }

    private static void silentStep(Jupyter.KernelSession steps, String name, String code) {
        JsonObject silent = new JsonObject();
        silent.addProperty("op", "execute");
        silent.addProperty("code", code);
        silent.addProperty("silent", true);
        steps.step(silent);
        names.add(name);
    }

    private static void runAll(Jupyter.KernelSession steps, String name, boolean stopOnError, String... cells) {
        JsonObject step = new JsonObject();
        step.addProperty("op", "execute_all");
        step.add("cells", new Gson().toJsonTree(cells));
        step.addProperty("stop_on_error", stopOnError);
        step.addProperty("timeout", 120);
        steps.step(step);
        names.add(name);
    }

    /** Each cell's reply status, in the order the cells were sent. */
    private static List<String> statuses(String runAll) {
        List<String> statuses = new ArrayList<>();
        result(runAll).getAsJsonArray("cells").forEach(cell -> statuses.add(cell.getAsJsonObject().get("status").getAsString()));
        return statuses;
    }

    private static JsonObject result(String name) {
        return session.step(names.indexOf(name));
    }

    private static JsonArray outputs(String name) {
        return session.outputs(names.indexOf(name));
    }

    private static String text(String name) {
        return resultText(outputs(name));
    }

    @Test
    void theKernelEndsOnItsShutdownRequestWithoutAnExceptionInItsLog() {
        assertEquals("ShutdownRequest", session.shutdown(), session.describe());
        // JeroMQ's threads print what they throw there: a socket closed while another thread used it, say.
        assertFalse(session.kernelLog().contains("\tat "), session.kernelLog());
    }

    @Test
    void kernelInfoNamesTheKernelAndJavaAndLinksTheDocumentation() {
        JsonObject info = session.kernelInfo();
        assertEquals("ok", info.get("status").getAsString(), info.toString());
        assertEquals("Java", info.getAsJsonObject("language_info").get("name").getAsString());
        assertEquals("stratus", info.get("implementation").getAsString(), "the kernel, not the library under it");
        assertEquals(System.getProperty("stratus.version"), info.get("implementation_version").getAsString());
        List<String> links = new ArrayList<>();
        info.getAsJsonArray("help_links").forEach(link -> links.add(link.getAsJsonObject().get("text").getAsString()));
        assertEquals(List.of("Java " + Runtime.version().feature() + " API", "JShell", "AWS SDK for Java 2.x", "Amazon SageMaker"), links);
    }

    @Test
    void clearOutputClearsWhatTheCellShowedBefore() {
        List<String> order = new ArrayList<>();
        for (JsonElement output : outputs("clear output")) {
            JsonObject o = output.getAsJsonObject();
            String type = o.get("output_type").getAsString();
            order.add(switch (type) {
                case "stream" -> "stream " + o.get("text").getAsString().strip();
                case "clear_output" -> "clear" + (o.get("wait").getAsBoolean() ? " wait" : "");
                default -> type;
            });
        }
        assertEquals(List.of("stream gone", "clear", "stream kept", "clear wait", "execute_result"), order);
    }

    @Test
    void theLastExpressionIsTheResult() {
        assertEquals("2", text("value"));
        assertEquals("42", text("several statements"));
        assertTrue(outputs("declare class").isEmpty(), outputs("declare class").toString());
        assertEquals("hi Ada", text("use class"));
    }

    @Test
    void streamsArriveAsStdoutAndStderr() {
        JsonArray out = outputs("streams");
        assertEquals("to stdout\nlater\n", stdout(out));
        assertEquals("to stderr\n", stderr(out));
        assertTrue(outputsOfType(out, "stream").size() >= 3, "streamed while running: " + out);
    }

    @Test
    void messagesAreDatedSoThatJupyterClientReadsWhenACellRan() {
        JsonObject dates = result("message dates").getAsJsonObject("dates");
        OffsetDateTime busy = date(dates, "status.busy");
        OffsetDateTime input = date(dates, "execute_input");
        OffsetDateTime reply = date(dates, "execute_reply");
        OffsetDateTime idle = date(dates, "status.idle");
        assertFalse(input.isBefore(busy), dates.toString());
        assertTrue(Duration.between(input, reply).toMillis() >= 1_100, "the cell slept 1.2 s: " + dates);
        assertFalse(idle.isBefore(reply), "idle once the cell is done: " + dates);
        assertTrue(Duration.between(reply, OffsetDateTime.now()).abs().toMinutes() < 10, "dated now: " + dates);
    }

    @Test
    void aFailedCellThatStopsOnErrorAbortsTheCellsWaitingBehindIt() {
        assertEquals(List.of("ok", "error", "aborted", "aborted"), statuses("run all stopping"), result("run all stopping").toString());
        assertEquals("1", text("after run all"), "the kernel runs cells again once none is waiting");
        assertEquals("CompilationException", ename(outputs("aborted cell did not run")));
        assertEquals(List.of("error", "ok", "ok"), statuses("run all going on"));
        JsonArray ran = result("run all going on").getAsJsonArray("cells").get(2).getAsJsonObject().getAsJsonArray("outputs");
        assertEquals("3", resultText(ran));
    }

    @Test
    void aSilentCellRunsQuietlyAndTakesNoExecutionCount() {
        assertEquals("ok", result("silent cell").get("status").getAsString());
        assertTrue(outputs("silent cell").isEmpty(), "nothing but statuses on IOPub: " + outputs("silent cell"));
        assertEquals("4", text("after silent"), "it ran");
        int lastBefore = result("run all going on").getAsJsonArray("cells").get(2).getAsJsonObject().get("execution_count").getAsInt();
        assertEquals(lastBefore, result("silent cell").get("execution_count").getAsInt(), "its reply has the last cell's count");
        assertEquals(lastBefore + 1, result("after silent").get("execution_count").getAsInt());
    }

    @Test
    void aSilentCellThatFailsRepliesAnErrorQuietlyWithTheLastCount() {
        JsonObject failed = result("silent error");
        assertEquals("error", failed.get("status").getAsString(), failed.toString());
        assertTrue(failed.getAsJsonObject("reply").get("ename").getAsString().endsWith("IllegalStateException"), failed.toString());
        assertTrue(outputs("silent error").isEmpty(), "nothing but statuses on IOPub: " + outputs("silent error"));
        assertEquals(result("after silent").get("execution_count").getAsInt(), failed.get("execution_count").getAsInt());
    }

    @Test
    void theHistoryHoldsTheCellsRunAsTypedButNotSilentOnes() {
        JsonArray tail = result("history tail").getAsJsonArray("history");
        assertEquals(List.of("int ran = 3;", "ran", "unseen"),
                tail.asList().stream().map(cell -> cell.getAsJsonArray().get(2).getAsString()).toList(), tail.toString());
        assertEquals("ok", result("history tail").get("status").getAsString());
    }

    private static OffsetDateTime date(JsonObject dates, String message) {
        assertTrue(dates.has(message), "no " + message + " among " + dates);
        return OffsetDateTime.parse(dates.get(message).getAsString());
    }

    @Test
    void compileErrorsShowLineColumnAndCaret() {
        JsonArray out = outputs("compile error");
        assertEquals("CompilationException", ename(out));
        assertEquals("line 2, column 14: cannot find symbol", evalue(out));
        List<String> traceback = traceback(out);
        assertTrue(traceback.contains("    int broken = nothingHere + 1;"), traceback.toString());
        assertTrue(traceback.contains("                 ^"), traceback.toString());
        assertEquals("error", result("compile error").get("status").getAsString());
    }

    @Test
    void exceptionsShowTheirClassMessageAndUserFramesOnly() {
        JsonArray out = outputs("exception");
        assertEquals("ArithmeticException", ename(out));
        assertEquals("/ by zero", evalue(out));
        assertEquals(List.of("java.lang.ArithmeticException: / by zero", "    at divide (cell 7, line 2)", "    at cell 7, line 4"),
                traceback(out));
    }

    @Test
    void richValuesHaveTheirMimeTypes() {
        JsonObject html = outputsOfType(outputs("html"), "execute_result").get(0);
        assertEquals("<b>bold</b>", mimeText(html, "text/html"));
        assertEquals("HTML", mimeText(html, "text/plain"));

        JsonArray rich = outputs("svg json markdown");
        List<JsonObject> displays = outputsOfType(rich, "display_data");
        assertEquals("<svg xmlns='http://www.w3.org/2000/svg'/>", mimeText(displays.get(0), "image/svg+xml"));
        assertEquals("# Title", mimeText(displays.get(1), "text/markdown"));
        JsonObject json = outputsOfType(rich, "execute_result").get(0).getAsJsonObject("data").getAsJsonObject("application/json");
        assertEquals(2, json.getAsJsonArray("a").size());

        String png = mimeText(outputsOfType(outputs("png"), "execute_result").get(0), "image/png");
        assertNotNull(png);
        assertTrue(java.util.Base64.getDecoder().decode(png.strip()).length > 50);

        JsonObject asHtml = outputsOfType(outputs("display as"), "display_data").get(0);
        assertEquals("<i>as html</i>", mimeText(asHtml, "text/html"));
        assertEquals("36", text("display as"));
    }

    @Test
    void updateDisplayReplacesWhatADisplayShowed() {
        JsonArray out = outputs("update display");
        JsonObject shown = outputsOfType(out, "display_data").get(0);
        JsonObject updated = outputsOfType(out, "update_display_data").get(0);
        String id = shown.getAsJsonObject("transient").get("display_id").getAsString();
        assertEquals(id, updated.getAsJsonObject("transient").get("display_id").getAsString());
        assertEquals("step 1", mimeText(shown, "text/html"));
        assertEquals("step 2", mimeText(updated, "text/html"));
        assertEquals(id, text("update display"));
    }

    @Test
    void magicsListAndExplainThemselves() {
        JsonObject table = outputsOfType(outputs("lsmagic"), "execute_result").get(0);
        String plain = mimeText(table, "text/plain");
        for (String magic : List.of("%lsmagic", "%help", "%jars", "%classpath", "%maven", "%time %%time", "%env", "%load")) {
            assertTrue(plain.contains(magic), magic + " in " + plain);
        }
        assertTrue(mimeText(table, "text/html").startsWith("<table>"));
        assertTrue(text("help").startsWith("%maven: Resolve Maven artifacts"), text("help"));
        assertTrue(text("dash dash help").contains("%jars PATH_OR_GLOB..."), text("dash dash help"));
        assertEquals("UnknownMagicException", ename(outputs("unknown magic")));
        assertEquals("%lsmgic is not a magic: did you mean %lsmagic? %lsmagic lists them all", evalue(outputs("unknown magic")));
    }

    @Test
    void timeReportsAndReturnsTheValue() {
        assertTrue(stdout(outputs("time")).matches("CPU time: .+, Wall time: .+\\n"), stdout(outputs("time")));
        assertEquals("42", text("time"));
        assertTrue(stdout(outputs("cell time")).startsWith("CPU time: "));
        assertEquals("499500", text("cell time"));
        assertEquals("IllegalStateException", ename(outputs("nested magic refused")));
        assertTrue(evalue(outputs("nested magic refused")).contains("put the magic on a line of its own"));
    }

    @Test
    void envSetsGetsAndMasksSecrets() {
        assertEquals("env: STRATUS_GREETING=hello world\n", stdout(outputs("env set")));
        assertEquals("hello world", text("env set"));
        assertEquals("env: MY_SECRET_TOKEN=abcd****\n", stdout(outputs("env secret")));
        assertEquals("hello world", text("env get"));
        assertEquals("'1BAD' is not a variable name: use letters, digits and _", evalue(outputs("env bad name")));
    }

    @Test
    void loadRunsAFileInTheNamespace() {
        assertEquals("42", text("load"));
        assertTrue(evalue(outputs("load missing")).endsWith("missing.jsh does not exist: check the path"),
                evalue(outputs("load missing")));
    }

    @Test
    void jarsAddCodeAndInstallTheExtensionsInside() {
        assertTrue(evalue(outputs("jars bad glob")).startsWith("nothing matches '"), evalue(outputs("jars bad glob")));
        assertEquals("Installed extension demo.ext.ShoutExtension\n", stdout(outputs("jars as value")));
        assertEquals("1", text("jars as value"));
        JsonObject shout = outputsOfType(outputs("extension magic"), "execute_result").get(0);
        assertEquals("<b>HELLO THERE</b>", mimeText(shout, "text/html"));
        assertEquals("<b>QUIET</b>", mimeText(outputsOfType(outputs("extension startup code"), "execute_result").get(0), "text/html"));
        assertTrue(text("classpath").contains(extensionJar.toString()), text("classpath"));
    }

    @Test
    void badMagicInputGetsAOneLineErrorNamingTheFix() {
        for (String[] bad : BAD_INPUTS) {
            JsonArray out = outputs(bad[0]);
            assertEquals(bad[2], ename(out), bad[0] + ": " + out);
            assertTrue(evalue(out).startsWith(bad[3]), bad[0] + ": " + evalue(out));
            assertFalse(evalue(out).contains("\n"), bad[0] + ": " + evalue(out));
        }
    }

    @Test
    void mavenResolvesFromCentral() {
        assertEquals("Maven", text("maven"));
        assertEquals("MavenResolutionException", ename(outputs("maven bad")));
        assertTrue(evalue(outputs("maven bad")).startsWith("'not-a-coordinate' is not a Maven coordinate"),
                evalue(outputs("maven bad")));
    }

    @Test
    void anInterruptStopsTheCellRunsHooksAndKeepsState() {
        JsonArray out = outputs("interrupt");
        assertEquals("InterruptedException", ename(out), out.toString());
        assertTrue(evalue(out).contains("interrupted"));
        // kept survives, and the extension's interrupt hook ran once.
        assertEquals("8", text("after interrupt"));
    }

    @Test
    void aRequestRightAfterStartWaitsForTheStandardImports() {
        JsonObject early = result("complete before any cell");
        assertTrue(strings(early.getAsJsonArray("matches")).contains("Collectors"), early.toString());
    }

    @Test
    void completionInspectionAndIsComplete() {
        JsonObject java = result("complete java");
        assertTrue(strings(java.getAsJsonArray("matches")).contains("String"), java.toString());
        assertEquals(0, java.get("cursor_start").getAsInt());
        JsonObject pkg = result("complete package");
        assertTrue(strings(pkg.getAsJsonArray("matches")).stream().anyMatch(m -> m.startsWith("util")), pkg.toString());
        assertEquals(12, pkg.get("cursor_start").getAsInt());
        JsonObject magic = result("complete magic");
        assertEquals(List.of("lsmagic"), strings(magic.getAsJsonArray("matches")));
        assertEquals(1, magic.get("cursor_start").getAsInt());

        JsonObject inspect = result("inspect");
        assertTrue(inspect.get("found").getAsBoolean(), inspect.toString());
        assertTrue(inspect.getAsJsonObject("data").get("text/plain").getAsString().contains("max(int"), inspect.toString());

        assertEquals("incomplete", result("incomplete").get("status").getAsString());
        assertEquals("complete", result("complete input").get("status").getAsString());
        assertEquals("invalid", result("invalid input").get("status").getAsString());
        assertEquals("incomplete", result("cell magic open").get("status").getAsString());
        assertEquals("complete", result("cell magic ended by a blank line").get("status").getAsString());
    }

    @Test
    void theKernelsOwnLogsStayOutOfCells() {
        for (int i = 0; i < names.size(); i++) {
            if (session.outputs(i) == null) {
                continue; // not an execute step
            }
            String err = stderr(session.outputs(i));
            assertFalse(err.contains("INFO") || err.contains("io.github.spencerpark"), names.get(i) + ": " + err);
        }
        assertEquals("", stderr(outputs("value")));
    }

    private static List<String> traceback(JsonArray outputs) {
        return strings(Jupyter.error(outputs).getAsJsonArray("traceback"));
    }

    private static List<String> strings(JsonArray array) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : array) {
            out.add(e.getAsString());
        }
        return out;
    }

    /** A jar holding an extension, compiled here against the kernel's public API. */
    private static Path buildExtensionJar(Path dir) throws IOException {
        return buildExtensionJar(dir, "ShoutExtension", """
                package demo.ext;

                import dev.stratus.kernel.extension.Extension;
                import dev.stratus.kernel.extension.KernelHost;
                import dev.stratus.kernel.magic.Magic;
                import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;

                public final class ShoutExtension implements Extension {
                    public static volatile int interrupts;

                    public record Shout(String text) {
                    }

                    @Override
                    public void install(KernelHost kernel) {
                        kernel.registerMagic(Magic.builder("shout").summary("Shout the words").usage("%shout WORDS")
                                .line(args -> new Shout(args.raw())).build());
                        kernel.renderer().createRegistration(Shout.class).preferring("text/html")
                                .register((shout, context) -> context.renderIfRequested(MIMEType.TEXT_HTML,
                                        () -> "<b>" + shout.text().toUpperCase() + "</b>"));
                        kernel.addStartupCode("import demo.ext.ShoutExtension.Shout;");
                        kernel.onInterrupt(() -> interrupts++);
                    }
                }
                """);
    }

    /** A jar of one extension, {@code demo.ext.<name>} compiled from {@code source}, found by ServiceLoader. */
    static Path buildExtensionJar(Path dir, String name, String source) throws IOException {
        Path src = dir.resolve("src/demo/ext/" + name + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17",
                "-cp", System.getProperty("java.class.path"), "-d", classes.toString(), src.toString());
        assertEquals(0, status, "the test extension compiles");
        Path jar = dir.resolve(name + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            try (var files = Files.walk(classes)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                    out.write(Files.readAllBytes(file));
                    out.closeEntry();
                }
            }
            out.putNextEntry(new JarEntry("META-INF/services/dev.stratus.kernel.extension.Extension"));
            out.write(("demo.ext." + name + "\n").getBytes());
            out.closeEntry();
        }
        return jar;
    }
}
