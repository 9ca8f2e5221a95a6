package dev.stratus.kernel.magic.builtin;

/** Runs source as a notebook cell (Java and magics) in the current namespace; returns its value. */
@FunctionalInterface
public interface CellRunner {
    Object run(String source, int firstLine) throws Exception;
}
