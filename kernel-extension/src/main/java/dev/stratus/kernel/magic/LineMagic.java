package dev.stratus.kernel.magic;

/** The body of a {@code %name args} line magic; what it returns becomes a value or the cell's result. */
@FunctionalInterface
public interface LineMagic {
    Object run(MagicArguments args) throws Exception;
}
