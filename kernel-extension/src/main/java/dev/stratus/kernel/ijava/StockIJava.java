package dev.stratus.kernel.ijava;

import java.util.ArrayList;
import java.util.List;

import dev.stratus.kernel.extension.ExtensionLoader;
import dev.stratus.kernel.extension.KernelHost;
import dev.stratus.kernel.magic.Magic;
import dev.stratus.kernel.magic.MagicArguments;
import dev.stratus.kernel.magic.MagicRegistry;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.magic.registry.Magics;

/**
 * Installs Stratus extensions into a running stock IJava 1.3 kernel. In a cell:
 * <pre>
 * %jars /path/to/stratus-kernel-extension.jar /path/to/extension.jar
 * dev.stratus.kernel.ijava.StockIJava.install()
 * </pre>
 * IJava bundles jupyter-jvm-basekernel 2.3.0 under its original package names, so Stratus
 * compiled against that API links to IJava's own kernel, magics and renderer.
 */
public final class StockIJava {

    private StockIJava() {
    }

    /** Finds IJava's kernel and installs every extension visible from the jars added with %jars; returns their names. */
    public static List<String> install() throws Exception {
        Class<?> ijava;
        try {
            ijava = Class.forName("io.github.spencerpark.ijava.IJava", true, StockIJava.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("IJava is not running in this JVM: StockIJava.install() is for IJava notebooks;"
                    + " the Stratus kernel installs extensions by itself");
        }
        Object kernel = ijava.getMethod("getKernelInstance").invoke(null);
        if (!(kernel instanceof BaseKernel baseKernel)) {
            throw new IllegalStateException("IJava has no kernel instance yet: call StockIJava.install() from a notebook cell");
        }
        return install(baseKernel);
    }

    /** Installs the extensions into any basekernel kernel that offers {@code getMagics()}, as IJava's does. */
    public static List<String> install(BaseKernel kernel) throws Exception {
        Magics magics = (Magics) kernel.getClass().getMethod("getMagics").invoke(kernel);
        IJavaHost host = new IJavaHost(kernel, magics);
        List<String> installed = new ExtensionLoader().installNew(StockIJava.class.getClassLoader(), host);
        host.runStartupCode();
        return installed;
    }

    /** Bridges the extension API to IJava: magics into its registry, startup code through its evaluator. */
    private static final class IJavaHost implements KernelHost {
        private final BaseKernel kernel;
        private final Magics magics;
        private final List<String> startupCode = new ArrayList<>();

        IJavaHost(BaseKernel kernel, Magics magics) {
            this.kernel = kernel;
            this.magics = magics;
        }

        @Override
        public void registerMagic(Magic magic) {
            if (magic.line() != null) {
                magics.registerLineMagic(magic.name(), words -> {
                    MagicArguments args = new MagicArguments(String.join(" ", words), words);
                    return shown(args.asksForHelp() ? new MagicRegistry.Help(magic.help()) : magic.line().run(args));
                });
            }
            if (magic.cell() != null) {
                magics.registerCellMagic(magic.name(), (words, body) -> {
                    MagicArguments args = new MagicArguments(String.join(" ", words), words);
                    return shown(args.asksForHelp() ? new MagicRegistry.Help(magic.help()) : magic.cell().run(args, body));
                });
            }
        }

        /** IJava discards the value of a magic that stands alone, so the magic shows it itself. */
        private Object shown(Object result) {
            if (result != null && kernel.getIO().display.isAttached()) {
                kernel.display(kernel.getRenderer().render(result));
            }
            return result;
        }

        @Override
        public Renderer renderer() {
            return kernel.getRenderer();
        }

        @Override
        public void addStartupCode(String javaCode) {
            startupCode.add(javaCode);
        }

        /** IJava's kernel evaluates code with its public evalRaw(String). */
        void runStartupCode() throws Exception {
            for (String code : startupCode) {
                kernel.getClass().getMethod("evalRaw", String.class).invoke(kernel, code);
            }
        }

        @Override
        public void onInterrupt(Runnable hook) {
            // Stock IJava has no interrupt hook: its interrupt stops the cell's thread, nothing more.
        }
    }
}
