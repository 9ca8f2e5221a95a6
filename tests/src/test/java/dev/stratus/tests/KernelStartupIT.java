package dev.stratus.tests;

import static dev.stratus.tests.Jupyter.ename;
import static dev.stratus.tests.Jupyter.evalue;
import static dev.stratus.tests.Jupyter.resultText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel compiles its startup code while it connects. An extension on its class path whose startup code fails
 * does not keep it from starting: the first cell reports that code and the fix, and the kernel goes on; the same for an
 * extension added later with %jars, in the cell that added it.
 */
class KernelStartupIT {

    @TempDir
    Path temp;

    @Test
    void failingStartupCodeIsTheFirstCellsErrorAndTheKernelGoesOn() throws Exception {
        Path jupyterPath = Jupyter.installKernel(Jupyter.repoRoot(), temp.resolve("prefix"));
        Files.copy(brokenExtension("BrokenStartup", "no.such.Thing"),
                jupyterPath.resolve("kernels/stratus/lib/broken-startup.jar"));
        Path addedLater = brokenExtension("BrokenLater", "no.such.Other");

        Jupyter.SessionResult session = Jupyter.session(jupyterPath).kernelLog(temp.resolve("kernel.log"))
                .execute("1 + 1", Duration.ofSeconds(120))
                .execute("List.of(1, 2).size()", Duration.ofSeconds(60))
                .execute("%jars " + addedLater, Duration.ofSeconds(60))
                .execute("List.of(1, 2, 3).size()", Duration.ofSeconds(60))
                .run();

        assertEquals("IllegalStateException", ename(session.outputs(0)), session.outputs(0).toString());
        String message = evalue(session.outputs(0));
        assertTrue(message.startsWith("The startup code 'import no.such.Thing;' of extension demo.ext.BrokenStartup failed"),
                message);
        assertTrue(message.contains("package no.such does not exist"), message);
        assertTrue(message.endsWith("take its jar off the kernel's class path"), message);
        assertFalse(message.contains("\n"), message);
        // The standard imports ran before the extension's code, and the kernel answers as usual.
        assertEquals("2", resultText(session.outputs(1)));

        // An extension added later (%jars) whose startup code fails: the same error, in the cell that added it.
        assertEquals("IllegalStateException", ename(session.outputs(2)), session.outputs(2).toString());
        String later = evalue(session.outputs(2));
        assertTrue(later.startsWith("The startup code 'import no.such.Other;' of extension demo.ext.BrokenLater failed"), later);
        assertTrue(later.contains("package no.such does not exist"), later);
        assertEquals("3", resultText(session.outputs(3)));
    }

    /** The jar of extension {@code demo.ext.<name>}, whose startup code imports a class that does not exist. */
    private Path brokenExtension(String name, String missingClass) throws IOException {
        return KernelSessionIT.buildExtensionJar(temp.resolve(name), name, """
                package demo.ext;

                import dev.stratus.kernel.extension.Extension;
                import dev.stratus.kernel.extension.KernelHost;

                public final class %s implements Extension {
                    @Override
                    public void install(KernelHost kernel) {
                        kernel.addStartupCode("import %s;");
                    }
                }
                """.formatted(name, missingClass));
    }
}
