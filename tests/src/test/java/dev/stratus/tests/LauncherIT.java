package dev.stratus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** ./stratus: the kernelspec it writes, its help, and its one-line errors. */
class LauncherIT {

    @TempDir
    Path temp;

    private Jupyter.ProcessResult stratus(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Jupyter.repoRoot().resolve("stratus").toString());
        command.addAll(List.of(args));
        return Jupyter.exec(command, Map.of(), Jupyter.repoRoot(), Duration.ofMinutes(5));
    }

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
    void badInvocationsGetOneClearLine() {
        for (List<String> args : List.of(List.of("launch"), List.of("kernel", "install", "--prefx", "x"))) {
            Jupyter.ProcessResult bad = stratus(args.toArray(String[]::new));
            assertEquals(2, bad.exitCode(), args + ": " + bad.outputTail());
            assertEquals(1, bad.stderr().strip().lines().count(), bad.stderr());
            assertTrue(bad.stderr().contains("--help"), bad.stderr());
        }
    }
}
