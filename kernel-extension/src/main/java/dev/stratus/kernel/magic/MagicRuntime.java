package dev.stratus.kernel.magic;

/**
 * What a line magic used as a value compiles to: {@code var files = %jars lib/*.jar} runs
 * {@code MagicRuntime.line("jars", "lib/*.jar")} against the kernel's magics.
 */
public final class MagicRuntime {

    private static volatile MagicRegistry registry;

    private MagicRuntime() {
    }

    /** Set once by the kernel that hosts the snippets. */
    public static void bind(MagicRegistry magics) {
        registry = magics;
    }

    @SuppressWarnings("unchecked")
    public static <T> T line(String name, String rawArgs) throws Exception {
        MagicRegistry magics = registry;
        if (magics == null) {
            throw new IllegalStateException("%" + name + " needs the Stratus kernel: no kernel is running in this JVM");
        }
        return (T) magics.runLine(name, MagicArguments.parse(rawArgs));
    }
}
