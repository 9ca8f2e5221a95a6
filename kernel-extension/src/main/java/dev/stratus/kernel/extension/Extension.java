package dev.stratus.kernel.extension;

/**
 * A plug-in of the kernel, found with {@link java.util.ServiceLoader} on the kernel's class path
 * or in jars added later with {@code %jars} or {@code %maven} (list the class in
 * {@code META-INF/services/dev.stratus.kernel.extension.Extension}). It is installed once.
 */
public interface Extension {

    /** Registers this extension's magics, renderers, startup code and interrupt hooks. */
    void install(KernelHost kernel) throws Exception;
}
