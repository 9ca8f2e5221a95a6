package io.github.spencerpark.ijava;

import java.util.ArrayList;
import java.util.List;

import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.magic.registry.Magics;

/**
 * Stands in for stock IJava 1.3 in tests (its jar is not on Maven Central): the same class name,
 * the same static {@code getKernelInstance()}, and a basekernel kernel with IJava's public
 * {@code getMagics()} and {@code evalRaw(String)}.
 */
public final class IJava {

    private static JavaKernel kernel;

    private IJava() {
    }

    public static JavaKernel getKernelInstance() {
        return kernel;
    }

    public static void setKernelInstance(JavaKernel instance) {
        kernel = instance;
    }

    public static final class JavaKernel extends BaseKernel {
        private final Magics magics = new Magics();
        public final List<String> evaluated = new ArrayList<>();

        public Magics getMagics() {
            return magics;
        }

        public Object evalRaw(String code) {
            evaluated.add(code);
            return null;
        }

        @Override
        public DisplayData eval(String code) {
            return null;
        }

        @Override
        public LanguageInfo getLanguageInfo() {
            return new LanguageInfo.Builder("Java").build();
        }
    }
}
