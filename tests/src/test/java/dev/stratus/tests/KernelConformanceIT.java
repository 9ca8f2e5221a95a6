package dev.stratus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel against jupyter_kernel_test, Jupyter's own conformance suite for kernels (Debian's
 * python3-jupyter-kernel-test), run by {@code kernel_conformance.py}: every request it makes is answered, and every
 * message checked against the messaging spec's schemas.
 */
class KernelConformanceIT {

    /** The suite's tests that the kernel must pass; it skips only the pager, which the kernel does not send. */
    private static final List<String> PASSED = List.of("test_kernel_info", "test_execute_stdout", "test_execute_stderr",
            "test_execute_result", "test_display_data", "test_clear_output", "test_error", "test_completion",
            "test_is_complete", "test_inspect", "test_history");

    @TempDir
    Path temp;

    @Test
    void theKernelPassesJupyterKernelTest() throws Exception {
        Path jupyterPath = Jupyter.installKernel(Jupyter.repoRoot(), temp);
        Jupyter.ProcessResult run = Jupyter.exec(List.of(Jupyter.PYTHON.toString(), Jupyter.script("kernel_conformance.py").toString(),
                "-v"), Map.of("JUPYTER_PATH", jupyterPath.toString()), null, Duration.ofMinutes(5));
        String report = run.stderr(); // unittest reports on stderr
        assertEquals(0, run.exitCode(), "jupyter_kernel_test failed:\n" + run.outputTail());
        for (String test : PASSED) {
            assertTrue(report.lines().anyMatch(line -> line.startsWith(test + " ") && line.endsWith("... ok")),
                    test + " did not pass:\n" + run.outputTail());
        }
    }
}
