package dev.stratus.kernel.magic;

/** The body of a {@code %%name args} cell magic, given the rest of the cell. */
@FunctionalInterface
public interface CellMagic {
    Object run(MagicArguments args, String body) throws Exception;
}
