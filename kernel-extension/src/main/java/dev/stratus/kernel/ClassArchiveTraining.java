package dev.stratus.kernel;

import java.util.List;

/**
 * A kernel's first cells without Jupyter, for {@code ./stratus kernel install} to record the classes they load (javac's,
 * JShell's, the kernel's) into a class data sharing archive that the installed kernel starts with: the JVM then maps
 * those classes instead of loading and verifying them, which is most of a new kernel's first seconds.
 *
 * <p>Run as {@code java -XX:ArchiveClassesAtExit=FILE [the kernel's JVM flags and class path] dev.stratus.kernel.ClassArchiveTraining};
 * a cell that fails here only leaves its classes out of the archive.
 */
public final class ClassArchiveTraining {

    /** What a first session does: a value, declarations, a lambda, a magic, a compile error, an exception. */
    private static final List<String> CELLS = List.of(
            "1 + 1",
            "var numbers = List.of(3, 1, 2);\nint twice(int n) { return 2 * n; }",
            "numbers.stream().map(n -> twice(n)).sorted().collect(Collectors.toList())",
            "%env HOME",
            "int broken = \"text\";",
            "throw new IllegalStateException(\"training\");");

    private ClassArchiveTraining() {
    }

    public static void main(String[] args) throws Exception {
        StratusKernel kernel = new StratusKernel();
        for (String cell : CELLS) {
            try {
                kernel.eval(cell);
            } catch (Exception expected) {
                kernel.formatError(expected);
            }
        }
        kernel.complete("numbers.str", "numbers.str".length());
        kernel.inspect("numbers.size()", 9, false);
        kernel.isComplete("int x = (");
        // The archive is written as the JVM exits.
        System.exit(0);
    }
}
