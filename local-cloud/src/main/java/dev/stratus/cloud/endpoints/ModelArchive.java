package dev.stratus.cloud.endpoints;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;

import dev.stratus.cloud.s3.S3Uri;

/**
 * A model's {@code model.tar.gz}: fetched from the local S3 store in-process and unpacked into an instance's
 * {@code model/} folder, as SageMaker does before it starts the inference server.
 *
 * <p>The archive is untrusted input written by anyone with access to the bucket, so nothing in it may land
 * outside that folder: entries with {@code ..} or absolute paths, symbolic links that point outside (also through
 * other links), hard links to files outside, and device files are refused and the deployment fails. Every folder
 * on the way to an entry is checked on disk, following links, before anything is created through it.
 */
final class ModelArchive {

    private final BlobStore store;

    ModelArchive(BlobStore store) {
        this.store = store;
    }

    /** Copies the object at {@code url} to {@code file}; a missing bucket or object fails the deployment, naming the URL. */
    void download(S3Uri url, Path file, String variant) throws IOException {
        String missing = "Failed to download model data for production variant " + variant + " from URL \"" + url + "\": ";
        if (!store.containerExists(url.bucket())) {
            throw new EndpointFailure(missing + "bucket " + url.bucket() + " does not exist: create it and upload the model.tar.gz there");
        }
        Blob blob = store.getBlob(url.bucket(), url.key());
        if (blob == null) {
            throw new EndpointFailure(missing + "there is no object at that URL: upload the model.tar.gz there (or fix ModelDataUrl)");
        }
        try (InputStream in = blob.getPayload().openStream()) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Unpacks {@code archive} (a gzip-compressed tar) into {@code folder}, which must exist; {@code source} names it in
     * the failure an unsafe or unreadable archive gives.
     */
    static void unpack(Path archive, Path folder, String source) throws IOException {
        Path root = folder.toRealPath();
        List<Path> links = new ArrayList<>();
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive));
             TarArchiveInputStream tar = new TarArchiveInputStream(gunzip(file, source))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                Path target = inside(root, entry.getName(), entry.getName(), source);
                if (target.equals(root)) {
                    continue; // "./", the folder itself
                }
                if (entry.isDirectory()) {
                    folders(root, target, entry.getName(), source);
                } else if (entry.isSymbolicLink()) {
                    folders(root, target.getParent(), entry.getName(), source);
                    Path pointsTo = path(entry.getLinkName(), entry.getName(), source);
                    if (pointsTo.isAbsolute() || !target.getParent().resolve(pointsTo).normalize().startsWith(root)) {
                        throw refused(source, entry.getName(), "is a symbolic link to " + entry.getLinkName()
                                + ", outside the model folder");
                    }
                    Files.deleteIfExists(target);
                    Files.createSymbolicLink(target, pointsTo);
                    links.add(target);
                } else if (entry.isLink()) {
                    // A hard link names another entry of the archive; its content is copied, so no file outside is ever linked in.
                    Path original = inside(root, entry.getLinkName(), entry.getName(), source);
                    if (!Files.isRegularFile(original) || !original.toRealPath().startsWith(root)) {
                        throw refused(source, entry.getName(), "is a hard link to " + entry.getLinkName()
                                + ", which is not a file unpacked before it");
                    }
                    folders(root, target.getParent(), entry.getName(), source);
                    Files.copy(original, target, StandardCopyOption.REPLACE_EXISTING);
                } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                    throw refused(source, entry.getName(), "is a device or FIFO, which a model folder has no use for");
                } else if (entry.isFile()) {
                    folders(root, target.getParent(), entry.getName(), source);
                    // REPLACE_EXISTING removes a link already at this path (never its target) and creates the file anew.
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                    if ((entry.getMode() & 0100) != 0) {
                        Files.setPosixFilePermissions(target, executable(target));
                    }
                } else {
                    throw refused(source, entry.getName(), "is of a kind of tar entry that is not unpacked here");
                }
            }
        }
        // Links are checked again once all exist: a chain of links that each look inside can still lead outside.
        for (Path link : links) {
            if (Files.exists(link) && !link.toRealPath().startsWith(root)) {
                throw refused(source, root.relativize(link).toString(), "is a symbolic link that leads outside the model"
                        + " folder through other links");
            }
        }
    }

    /** Removes a folder and everything in it, never following links out of it. */
    static void delete(Path folder) throws IOException {
        if (!Files.exists(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static InputStream gunzip(InputStream file, String source) throws IOException {
        try {
            return new GzipCompressorInputStream(file);
        } catch (IOException notGzip) {
            throw new EndpointFailure("Model data " + source + " is not a gzip-compressed tar archive (" + notGzip.getMessage()
                    + "): pack the model folder as model.tar.gz (tar czf model.tar.gz -C model .)");
        }
    }

    /** {@code name} resolved under {@code root} without leaving it: no absolute path, no ".." above it. */
    private static Path inside(Path root, String name, String entry, String source) {
        Path relative = path(name, entry, source);
        Path target = root.resolve(relative).normalize();
        if (relative.isAbsolute() || !target.startsWith(root)) {
            throw refused(source, entry, "would be written outside the model folder");
        }
        return target;
    }

    private static Path path(String name, String entry, String source) {
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            throw refused(source, entry, "has a name that is not a valid path (" + e.getReason() + ")");
        }
    }

    /** Creates the folders from {@code root} down to {@code folder} one at a time, checking each one's real place first. */
    private static void folders(Path root, Path folder, String entry, String source) throws IOException {
        Path current = root;
        for (Path part : root.relativize(folder)) {
            current = current.resolve(part);
            if (Files.exists(current)) {
                if (!current.toRealPath().startsWith(root)) {
                    throw refused(source, entry, "would be written through a symbolic link that leads outside the model folder");
                }
                if (!Files.isDirectory(current)) {
                    throw refused(source, entry, "needs " + root.relativize(current) + " to be a folder, and it is a file");
                }
            } else if (Files.isSymbolicLink(current)) {
                throw refused(source, entry, "would be written through a symbolic link that points nowhere");
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

    private static EndpointFailure refused(String source, String entry, String problem) {
        return new EndpointFailure("Model data " + source + " is refused: its entry '" + entry + "' " + problem
                + ": pack the archive with paths relative to the model folder (tar czf model.tar.gz -C model .)");
    }
}
