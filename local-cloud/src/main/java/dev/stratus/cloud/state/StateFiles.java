package dev.stratus.cloud.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Small state files that a server killed at any moment must never leave empty or half-written. */
public final class StateFiles {

    private StateFiles() {
    }

    /** Writes {@code text} to a temporary sibling, then renames it over {@code file} in one step. */
    public static void write(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, text);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
