package dev.stratus.cloud.training;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.ContainerNotFoundException;
import org.jclouds.blobstore.domain.Blob;

import dev.stratus.cloud.s3.S3Keys;
import dev.stratus.cloud.s3.S3Uri;

/**
 * A job's S3 side, read and written in-process through the local S3 store: channel data in,
 * checkpoints both ways, model and output archives out.
 */
final class JobStorage {

    private final BlobStore store;

    JobStorage(BlobStore store) {
        this.store = store;
    }

    /**
     * The keys under {@code prefix}, sorted. As SageMaker does, an S3Prefix matches every key that
     * starts with it; each object lands under its path after the prefix's last "/".
     */
    List<String> keys(S3Uri prefix, String channel) {
        List<String> keys;
        try {
            keys = S3Keys.under(store, prefix);
        } catch (ContainerNotFoundException e) {
            throw new JobFailure("ClientError: channel " + channel + ": bucket " + prefix.bucket() + " of " + prefix
                    + " does not exist: create it and upload the data first");
        }
        if (keys.isEmpty()) {
            throw new JobFailure("ClientError: channel " + channel + ": no objects found under " + prefix
                    + ": upload the data first");
        }
        return keys;
    }

    /** Downloads {@code keys} into {@code target}, refusing any key that would land outside it. */
    void download(S3Uri prefix, List<String> keys, Path target) throws IOException {
        for (String key : keys) {
            Path file = inside(target, S3Keys.relative(prefix, key), key);
            Blob blob = store.getBlob(prefix.bucket(), key);
            if (blob == null) {
                throw new JobFailure("ClientError: " + prefix.resolve("") + key + " disappeared while downloading");
            }
            Files.createDirectories(file.getParent());
            try (InputStream in = blob.getPayload().openStream()) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Restores the checkpoints under {@code prefix} into {@code folder}; none yet is fine (a first run). */
    void restore(S3Uri prefix, Path folder) throws IOException {
        S3Uri asFolder = prefix.resolve("");
        List<String> keys;
        try {
            keys = keys(asFolder, "checkpoints");
        } catch (JobFailure none) {
            return;
        }
        download(asFolder, keys, folder);
    }

    /** Uploads every file under {@code folder} that changed since {@code uploaded} last saw it; returns whether any did. */
    boolean sync(Path folder, S3Uri destination, Map<Path, Long> uploaded) throws IOException {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        boolean changed = false;
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                long stamp = Files.getLastModifiedTime(file).toMillis() * 31 + Files.size(file);
                if (!Long.valueOf(stamp).equals(uploaded.get(file))) {
                    put(file, destination.resolve(folder.relativize(file).toString().replace('\\', '/')));
                    uploaded.put(file, stamp);
                    changed = true;
                }
            }
        }
        return changed;
    }

    /** Packs {@code folder} into a .tar.gz object at {@code destination}, as SageMaker packs model/ and output/data/. */
    void uploadArchive(Path folder, S3Uri destination, Path scratch) throws IOException {
        Path archive = scratch.resolve(destination.key().substring(destination.key().lastIndexOf('/') + 1));
        try (OutputStream file = Files.newOutputStream(archive);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(file));
             Stream<Path> files = Files.walk(folder)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path path : files.filter(p -> !p.equals(folder)).sorted().toList()) {
                TarArchiveEntry entry = new TarArchiveEntry(path.toFile(), folder.relativize(path).toString().replace('\\', '/'));
                tar.putArchiveEntry(entry);
                if (Files.isRegularFile(path)) {
                    Files.copy(path, tar);
                }
                tar.closeArchiveEntry();
            }
        }
        put(archive, destination);
    }

    private void put(Path file, S3Uri destination) throws IOException {
        if (!store.containerExists(destination.bucket())) {
            throw new JobFailure("ClientError: bucket " + destination.bucket() + " of " + destination
                    + " does not exist: create it before training");
        }
        Blob blob = store.blobBuilder(destination.key()).payload(file.toFile()).contentLength(Files.size(file)).build();
        store.putBlob(destination.bucket(), blob);
    }

    /** {@code relative} resolved under {@code folder}; a key with ".." that would leave it fails the job. */
    static Path inside(Path folder, String relative, String key) {
        Path file = folder.resolve(relative).normalize();
        if (!file.startsWith(folder) || file.equals(folder)) {
            throw new JobFailure("ClientError: object key '" + key + "' would be written outside its channel folder: rename it");
        }
        return file;
    }
}
