package dev.stratus.kernel.extension;

import dev.stratus.kernel.magic.Magic;
import io.github.spencerpark.jupyter.kernel.display.Renderer;

/** What an {@link Extension} sees of the kernel it is installed into: the Stratus kernel or stock IJava. */
public interface KernelHost {

    void registerMagic(Magic magic);

    /** The kernel's renderer registry: register how your types show as HTML, PNG, JSON... */
    Renderer renderer();

    /** Java code (imports, helper declarations) to run in the notebook namespace, once the current cell is done. */
    void addStartupCode(String javaCode);

    /** Work to cancel when the user interrupts a cell, for example running Spark jobs. */
    void onInterrupt(Runnable hook);
}
