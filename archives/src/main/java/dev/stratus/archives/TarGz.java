package dev.stratus.archives;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks a gzip-compressed tar that anyone with access to its bucket may have written: SageMaker's
 * {@code model.tar.gz}, or the {@code sourcedir.tar.gz} a script-mode job names. Nothing in it may land outside the
 * folder: entries with {@code ..} or absolute paths, symbolic links that point outside (also through other links),
 * hard links to files outside, and device files are refused. Every folder on the way to an entry is checked on disk,
 * following links, before anything is created through it.
 */
public final class TarGz {

    private TarGz() {
    }

    /**
     * Unpacks {@code archive} into {@code folder}, which must exist; {@code folderName} ("model folder", "code folder")
     * names it in the problem of a refused entry.
     *
     * @throws RefusedArchive when an entry is unsafe or the file is not a gzip-compressed tar
     */
    public static void unpack(Path archive, Path folder, String folderName) throws IOException {
        Path root = folder.toRealPath();
        List<Path> links = new ArrayList<>();
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive));
             TarArchiveInputStream tar = new TarArchiveInputStream(gunzip(file))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                Path target = inside(root, entry.getName(), entry.getName(), folderName);
                if (target.equals(root)) {
                    continue; // "./", the folder itself
                }
                if (entry.isDirectory()) {
                    folders(root, target, entry.getName(), folderName);
                } else if (entry.isSymbolicLink()) {
                    folders(root, target.getParent(), entry.getName(), folderName);
                    Path pointsTo = path(entry.getLinkName(), entry.getName());
                    if (pointsTo.isAbsolute() || !target.getParent().resolve(pointsTo).normalize().startsWith(root)) {
                        throw new RefusedArchive(entry.getName(), "is a symbolic link to " + entry.getLinkName() + ", outside the "
                                + folderName);
                    }
                    Files.deleteIfExists(target);
                    Files.createSymbolicLink(target, pointsTo);
                    links.add(target);
                } else if (entry.isLink()) {
                    // A hard link names another entry of the archive; its content is copied, so no file outside is ever linked in.
                    Path original = inside(root, entry.getLinkName(), entry.getName(), folderName);
                    if (!Files.isRegularFile(original) || !original.toRealPath().startsWith(root)) {
                        throw new RefusedArchive(entry.getName(), "is a hard link to " + entry.getLinkName()
                                + ", which is not a file unpacked before it");
                    }
                    folders(root, target.getParent(), entry.getName(), folderName);
                    Files.copy(original, target, StandardCopyOption.REPLACE_EXISTING);
                } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                    throw new RefusedArchive(entry.getName(), "is a device or FIFO, which a " + folderName + " has no use for");
                } else if (entry.isFile()) {
                    folders(root, target.getParent(), entry.getName(), folderName);
                    // REPLACE_EXISTING removes a link already at this path (never its target) and creates the file anew.
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                    if ((entry.getMode() & 0100) != 0) {
                        Files.setPosixFilePermissions(target, executable(target));
                    }
                } else {
                    throw new RefusedArchive(entry.getName(), "is of a kind of tar entry that is not unpacked here");
                }
            }
        }
        // Links are checked again once all exist: a chain of links that each look inside can still lead outside.
        for (Path link : links) {
            if (Files.exists(link) && !link.toRealPath().startsWith(root)) {
                throw new RefusedArchive(root.relativize(link).toString(), "is a symbolic link that leads outside the "
                        + folderName + " through other links");
            }
        }
    }

    private static InputStream gunzip(InputStream file) throws IOException {
        try {
            return new GzipCompressorInputStream(file);
        } catch (IOException notGzip) {
            throw new RefusedArchive(null, notGzip.getMessage());
        }
    }

    /** {@code name} resolved under {@code root} without leaving it: no absolute path, no ".." above it. */
    private static Path inside(Path root, String name, String entry, String folderName) throws RefusedArchive {
        Path relative = path(name, entry);
        Path target = root.resolve(relative).normalize();
        if (relative.isAbsolute() || !target.startsWith(root)) {
            throw new RefusedArchive(entry, "would be written outside the " + folderName);
        }
        return target;
    }

    private static Path path(String name, String entry) throws RefusedArchive {
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            throw new RefusedArchive(entry, "has a name that is not a valid path (" + e.getReason() + ")");
        }
    }

    /** Creates the folders from {@code root} down to {@code folder} one at a time, checking each one's real place first. */
    private static void folders(Path root, Path folder, String entry, String folderName) throws IOException {
        Path current = root;
        for (Path part : root.relativize(folder)) {
            current = current.resolve(part);
            if (Files.exists(current)) {
                if (!current.toRealPath().startsWith(root)) {
                    throw new RefusedArchive(entry, "would be written through a symbolic link that leads outside the " + folderName);
                }
                if (!Files.isDirectory(current)) {
                    throw new RefusedArchive(entry, "needs " + root.relativize(current) + " to be a folder, and it is a file");
                }
            } else if (Files.isSymbolicLink(current)) {
                throw new RefusedArchive(entry, "would be written through a symbolic link that points nowhere");
            } else {
                Files.createDirectory(current);
            }
        }
    }

    private static Set<PosixFilePermission> executable(Path file) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        permissions.add(PosixFilePermission.OWNER_EXECUTE);
        return permissions;
    }
}
