package dev.stratus.kernel.ijava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.spencerpark.ijava.IJava;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import io.github.spencerpark.jupyter.kernel.magic.registry.UndefinedMagicException;

/** The documented one-line install, against the basekernel API that stock IJava bundles. */
class StockIJavaTest {

    @AfterEach
    void forgetKernel() {
        IJava.setKernelInstance(null);
    }

    @Test
    void installsExtensionMagicsRenderersAndStartupCodeIntoIJava() throws Exception {
        IJava.JavaKernel kernel = new IJava.JavaKernel();
        IJava.setKernelInstance(kernel);

        List<String> installed = StockIJava.install();

        assertEquals(List.of(GreetingExtension.class.getName()), installed);
        Object greeting = kernel.getMagics().applyLineMagic("greet", List.of("Ada", "Lovelace"));
        assertEquals(new GreetingExtension.Greeting("Ada Lovelace"), greeting);
        Object fromCell = kernel.getMagics().applyCellMagic("greet", List.of(), "  Grace \n");
        assertEquals(new GreetingExtension.Greeting("Grace"), fromCell);
        Object help = kernel.getMagics().applyLineMagic("greet", List.of("--help"));
        assertTrue(help.toString().startsWith("%greet, %%greet: Greet someone"), help.toString());
        DisplayData shown = kernel.getRenderer().render(greeting);
        assertEquals("<b>Hello, Ada Lovelace</b>", shown.getData(MIMEType.TEXT_HTML));
        assertEquals(List.of("import dev.stratus.kernel.ijava.GreetingExtension.Greeting;"), kernel.evaluated);
        assertThrows(UndefinedMagicException.class, () -> kernel.getMagics().applyLineMagic("nope", List.of()));
    }

    @Test
    void withoutARunningKernelTheErrorSaysWhereToCallIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class, StockIJava::install);
        assertEquals("IJava has no kernel instance yet: call StockIJava.install() from a notebook cell", e.getMessage());
    }
}
