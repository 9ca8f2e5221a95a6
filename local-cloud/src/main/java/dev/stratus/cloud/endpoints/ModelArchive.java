package dev.stratus.cloud.endpoints;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;

import dev.stratus.archives.RefusedArchive;
import dev.stratus.archives.TarGz;
import dev.stratus.cloud.s3.S3Uri;

/**
 * A model's {@code model.tar.gz}: fetched from the local S3 store in-process and unpacked into an instance's
 * {@code model/} folder, as SageMaker does before it starts the inference server.
 *
 * <p>The archive is untrusted input written by anyone with access to the bucket: {@link TarGz} refuses every entry
 * that would land outside that folder, and the deployment fails naming it.
 */
public final class ModelArchive {

    private final BlobStore store;

    public ModelArchive(BlobStore store) {
        this.store = store;
    }

    /**
     * Copies the object at {@code url} to {@code file}; a missing bucket or object fails the deployment, naming the URL
     * and {@code subject} ("production variant X", "transform job Y").
     */
    private void download(S3Uri url, Path file, String subject) throws IOException {
        String missing = "Failed to download model data for " + subject + " from URL \"" + url + "\": ";
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
     * Downloads the model.tar.gz at {@code url} once (into a temporary file in {@code scratch}) and unpacks it into each
     * of {@code models}, the model folders of new instances, which must exist.
     */
    public void install(S3Uri url, String subject, Path scratch, List<Path> models) throws IOException {
        Files.createDirectories(scratch);
        Path archive = Files.createTempFile(scratch, "model", ".tar.gz");
        try {
            download(url, archive, subject);
            for (Path model : models) {
                unpack(archive, model, url.toString());
            }
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    /**
     * Unpacks {@code archive} (a gzip-compressed tar) into {@code folder}, which must exist; {@code source} names it in
     * the failure an unsafe or unreadable archive gives.
     */
    public static void unpack(Path archive, Path folder, String source) throws IOException {
        try {
            TarGz.unpack(archive, folder, "model folder");
        } catch (RefusedArchive e) {
            throw new EndpointFailure(e.entry().isPresent()
                    ? "Model data " + source + " is refused: " + e.getMessage()
                            + ": pack the archive with paths relative to the model folder (tar czf model.tar.gz -C model .)"
                    : "Model data " + source + " is not a gzip-compressed tar archive (" + e.problem()
                            + "): pack the model folder as model.tar.gz (tar czf model.tar.gz -C model .)");
        }
    }

    /** Removes a folder and everything in it, never following links out of it. */
    public static void delete(Path folder) throws IOException {
        if (!Files.exists(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
