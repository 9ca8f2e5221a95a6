package dev.stratus.archives;

import java.io.IOException;
import java.util.Optional;

/**
 * An archive that {@link TarGz#unpack} will not unpack: one of its entries would land outside the folder (or is of a
 * kind a folder of files has no use for), or the file is not a gzip-compressed tar at all. Callers word the fix, since
 * they know how the archive was meant to be made.
 */
public final class RefusedArchive extends IOException {

    private final String entry;
    private final String problem;

    RefusedArchive(String entry, String problem) {
        super(entry == null ? problem : "its entry '" + entry + "' " + problem);
        this.entry = entry;
        this.problem = problem;
    }

    /** The refused entry's name as the archive gives it; empty when the file is not a gzip-compressed tar. */
    public Optional<String> entry() {
        return Optional.ofNullable(entry);
    }

    /** What is wrong: with the entry, a predicate ("would be written outside the model folder"); without, the reader's words. */
    public String problem() {
        return problem;
    }
}
