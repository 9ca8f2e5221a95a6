package dev.stratus.tests;

import static dev.stratus.tests.Jupyter.stratus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** ./stratus: the kernelspec it writes, its help, and its one-line errors. */
class LauncherIT {

    @TempDir
    Path temp;

    @Test
    void kernelInstallWritesAKernelspecJupyterUnderstands() throws Exception {
        Path jupyterPath = Jupyter.installKernel(Jupyter.repoRoot(), temp);
        Path spec = jupyterPath.resolve("kernels/stratus");
        JsonObject kernel = Jupyter.readJson(spec.resolve("kernel.json"));

        assertEquals("Java (Stratus)", kernel.get("display_name").getAsString());
        assertEquals("java", kernel.get("language").getAsString());
        assertEquals("message", kernel.get("interrupt_mode").getAsString());
        List<String> argv = new ArrayList<>();
        for (JsonElement e : kernel.getAsJsonArray("argv")) {
            argv.add(e.getAsString());
        }
        assertTrue(Path.of(argv.get(0)).isAbsolute() && argv.get(0).endsWith("java"), argv.get(0));
        assertTrue(argv.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), "Spark's JVM flags: " + argv);
        assertTrue(argv.contains("-Djdk.reflect.useDirectMethodHandle=false"));
        assertEquals(List.of("dev.stratus.kernel.StratusKernel", "{connection_file}"), argv.subList(argv.size() - 2, argv.size()));
        assertEquals(spec.resolve("lib") + "/*", argv.get(argv.indexOf("-cp") + 1));
        try (var jars = Files.list(spec.resolve("lib"))) {
            List<String> names = jars.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("stratus-kernel-extension-")), names.toString());
            assertTrue(names.contains("jupyter-jvm-basekernel-2.3.0.jar"), names.toString());
        }

        // The kernel's JVM maps javac's classes and the kernel's own from the archive recorded at install, rather than
        // loading them (a class path other than the recorded one would leave the kernel's out).
        assertTrue(argv.contains("-XX:SharedArchiveFile=" + spec.resolve("classes.jsa")), argv.toString());
        assertTrue(Files.isRegularFile(spec.resolve("classes.jsa")));
        assertFalse(Files.exists(spec.resolve("classes.log")), "the log of the recording is kept only when it fails");
        List<String> firstCells = new ArrayList<>(argv.subList(0, argv.size() - 2));
        firstCells.add(1, "-Xlog:class+load=info");
        firstCells.add("dev.stratus.kernel.ClassArchiveTraining");
        Jupyter.ProcessResult run = Jupyter.exec(firstCells, Map.of(), temp, Duration.ofMinutes(2));
        assertEquals(0, run.exitCode(), run.outputTail());
        for (String mapped : List.of("com.sun.tools.javac.main.JavaCompiler", "dev.stratus.kernel.StratusKernel")) {
            assertTrue(run.stdout().contains(mapped + " source: shared objects file"), mapped + " not mapped from the"
                    + " archive:\n" + run.stdout().lines().filter(line -> line.contains(mapped + " ")).toList());
        }

        Jupyter.ProcessResult listed = Jupyter.exec(List.of(Jupyter.JUPYTER.toString(), "kernelspec", "list", "--json"),
                Map.of("JUPYTER_PATH", jupyterPath.toString()), temp, Duration.ofMinutes(1));
        JsonObject specs = com.google.gson.JsonParser.parseString(listed.stdout()).getAsJsonObject().getAsJsonObject("kernelspecs");
        assertTrue(specs.has("stratus"), listed.stdout());

        Jupyter.ProcessResult uninstall = stratus("kernel", "uninstall", "--prefix", temp.toString());
        assertEquals(0, uninstall.exitCode(), uninstall.outputTail());
        assertFalse(Files.exists(spec));
        Jupyter.ProcessResult again = stratus("kernel", "uninstall", "--prefix", temp.toString());
        assertEquals(1, again.exitCode());
        assertEquals(1, again.stderr().strip().lines().count(), again.stderr());
        assertTrue(again.stderr().contains("is not installed"), again.stderr());
    }

    @Test
    void everySubcommandHasHelp() {
        for (List<String> args : List.of(List.of("--help"), List.of("kernel", "install", "--help"),
                List.of("kernel", "uninstall", "--help"), List.of("notebook", "--help"), List.of("demo", "--help"),
                List.of("test", "--help"))) {
            Jupyter.ProcessResult help = stratus(args.toArray(String[]::new));
            assertEquals(0, help.exitCode(), args + ": " + help.outputTail());
            assertTrue(help.stdout().toLowerCase().contains("usage"), args + ": " + help.stdout());
        }
    }

    @Test
    void missingPrerequisitesGetOneLineWithTheFix() throws Exception {
        Path bin = pathWithout(Set.of("java", "javac", "mvn"));
        try {
            checkPrerequisiteErrors(bin);
        } finally {
            // Removed here: JUnit warns about every symbolic link it finds in a temp dir.
            try (var links = Files.list(bin)) {
                for (Path link : links.toList()) {
                    Files.delete(link);
                }
            }
            Files.deleteIfExists(temp.resolve("java-only/java"));
        }
    }

    private void checkPrerequisiteErrors(Path bin) throws Exception {
        Map<String, String> noJava = Map.of("PATH", bin.toString(), "JAVA_HOME", "");
        Jupyter.ProcessResult install = stratus(noJava, "kernel", "install", "--prefix", temp.resolve("p").toString());
        assertEquals(1, install.exitCode(), install.outputTail());
        assertEquals("stratus: java 17+ not found: install it with 'apt-get install -y openjdk-17-jdk-headless'",
                install.stderr().strip());

        Map<String, String> noMaven = Map.of("PATH", bin + ":" + temp.resolve("java-only"), "JAVA_HOME", "");
        Files.createDirectories(temp.resolve("java-only"));
        Files.createSymbolicLink(temp.resolve("java-only/java"), Path.of("/usr/bin/java").toRealPath());
        Jupyter.ProcessResult test = stratus(noMaven, "test");
        assertEquals(1, test.exitCode(), test.outputTail());
        assertEquals("stratus: mvn not found: install it with 'apt-get install -y maven'", test.stderr().strip());

        Map<String, String> badJavaHome = Map.of("JAVA_HOME", temp.resolve("no-jdk").toString());
        Jupyter.ProcessResult home = stratus(badJavaHome, "kernel", "install", "--prefix", temp.resolve("p").toString());
        assertEquals(1, home.exitCode());
        assertEquals(1, home.stderr().strip().lines().count(), home.stderr());
        assertTrue(home.stderr().contains("or unset JAVA_HOME"), home.stderr());
        assertFalse(Files.exists(temp.resolve("p/share/jupyter/kernels/stratus")), "nothing half-installed");
    }

    /** A PATH folder with every command of /usr/bin and /bin except {@code missing}. */
    private Path pathWithout(Set<String> missing) throws Exception {
        Path bin = temp.resolve("bin");
        Files.createDirectories(bin);
        for (String dir : List.of("/usr/bin", "/bin")) {
            try (var commands = Files.list(Path.of(dir))) {
                for (Path command : commands.toList()) {
                    Path link = bin.resolve(command.getFileName().toString());
                    if (!missing.contains(link.getFileName().toString()) && !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, command);
                    }
                }
            }
        }
        return bin;
    }

    @Test
    void notebookServesTheKernelOnLoopbackOnly() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path home = temp.resolve("home");
        Files.createDirectories(home);
        Path log = temp.resolve("notebook.log");
        ProcessBuilder builder = new ProcessBuilder(Jupyter.repoRoot().resolve("stratus").toString(), "notebook",
                "--port", Integer.toString(port)).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("JUPYTER_PATH");
        Process notebook = builder.start();
        try {
            String token = null;
            for (int i = 0; i < 120 && token == null; i++) {
                Thread.sleep(500);
                Matcher url = Pattern.compile("http://127\\.0\\.0\\.1:" + port + "/\\?token=(\\w+)")
                        .matcher(Files.readString(log));
                token = url.find() ? url.group(1) : null;
            }
            assertTrue(token != null, "the notebook server started: " + Files.readString(log));
            HttpResponse<String> specs = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/kernelspecs?token=" + token)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, specs.statusCode());
            JsonObject stratus = com.google.gson.JsonParser.parseString(specs.body()).getAsJsonObject()
                    .getAsJsonObject("kernelspecs").getAsJsonObject("stratus");
            assertEquals("Java (Stratus)", stratus.getAsJsonObject("spec").get("display_name").getAsString());
            assertTrue(Files.isRegularFile(home.resolve(".local/share/jupyter/kernels/stratus/kernel.json")));
            Jupyter.ProcessResult listening = Jupyter.exec(List.of("ss", "-ltnH", "sport = :" + port), Map.of(), temp,
                    Duration.ofSeconds(30));
            assertTrue(listening.stdout().contains("127.0.0.1:" + port), listening.stdout());
            assertFalse(listening.stdout().contains("0.0.0.0:" + port) || listening.stdout().contains("*:" + port),
                    listening.stdout());
        } finally {
            notebook.destroy();
            if (!notebook.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                notebook.destroyForcibly();
            }
        }
    }

    @Test
    void badInvocationsGetOneClearLine() {
        for (List<String> args : List.of(List.of("launch"), List.of("kernel", "install", "--prefx", "x"))) {
            Jupyter.ProcessResult bad = stratus(args.toArray(String[]::new));
            assertEquals(2, bad.exitCode(), args + ": " + bad.outputTail());
            assertEquals(1, bad.stderr().strip().lines().count(), bad.stderr());
            assertTrue(bad.stderr().contains("--help"), bad.stderr());
        }
    }
}
