package dev.stratus.cloud.transform;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.ContainerNotFoundException;
import org.jclouds.blobstore.domain.Blob;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import dev.stratus.cloud.s3.S3Keys;
import dev.stratus.cloud.s3.S3Uri;
import dev.stratus.cloud.server.JsonRpc;

/**
 * The objects a transform job reads, from {@code TransformInput.DataSource.S3DataSource}: every key that starts with
 * an S3Prefix, or the keys a ManifestFile lists. Each one's output lands at {@code <S3OutputPath>/<name>.out}, its name
 * being its key after the prefix's last "/" (for a manifest, the key as the manifest lists it below its prefix), so that
 * objects in subfolders keep them.
 */
final class InputObjects {

    /** One input object and the name its output takes. */
    record InputObject(S3Uri uri, String name) {
    }

    private InputObjects() {
    }

    static List<InputObject> list(BlobStore store, JsonNode source) throws IOException {
        S3Uri uri = S3Uri.parse(source.path("S3Uri").asText(), "S3Uri");
        List<InputObject> objects = new ArrayList<>();
        if (source.path("S3DataType").asText().equals("ManifestFile")) {
            JsonNode manifest = manifest(store, uri);
            S3Uri prefix = S3Uri.parse(manifest.get(0).path("prefix").asText(), "prefix");
            for (int i = 1; i < manifest.size(); i++) {
                String name = manifest.get(i).asText();
                S3Uri object = new S3Uri(prefix.bucket(), prefix.key() + name);
                if (!store.blobExists(object.bucket(), object.key())) {
                    throw new TransformFailure("ClientError: manifest " + uri + " lists " + object + ", which does not exist:"
                            + " upload it, or take it out of the manifest");
                }
                objects.add(new InputObject(object, checked(name, uri)));
            }
        } else {
            List<String> keys;
            try {
                keys = S3Keys.under(store, uri);
            } catch (ContainerNotFoundException e) {
                throw new TransformFailure("ClientError: bucket " + uri.bucket() + " of TransformInput's S3Uri " + uri
                        + " does not exist: create it and upload the input data first");
            }
            for (String key : keys) {
                objects.add(new InputObject(new S3Uri(uri.bucket(), key), checked(S3Keys.relative(uri, key), uri)));
            }
        }
        if (objects.isEmpty()) {
            throw new TransformFailure("ClientError: no input objects found under " + uri + ": upload the input data"
                    + " first, or fix TransformInput.DataSource.S3DataSource.S3Uri");
        }
        return objects;
    }

    /** A manifest: {@code [{"prefix": "s3://bucket/prefix/"}, "key-1", "key-2", ...]}, as SageMaker reads it. */
    private static JsonNode manifest(BlobStore store, S3Uri uri) throws IOException {
        Blob blob = store.containerExists(uri.bucket()) ? store.getBlob(uri.bucket(), uri.key()) : null;
        if (blob == null) {
            throw new TransformFailure("ClientError: the manifest file " + uri + " does not exist: upload it, or fix"
                    + " TransformInput.DataSource.S3DataSource.S3Uri");
        }
        JsonNode manifest;
        try (InputStream in = blob.getPayload().openStream()) {
            manifest = JsonRpc.JSON.readTree(in);
        } catch (JsonProcessingException e) {
            manifest = null;
        }
        if (manifest == null || !manifest.isArray() || manifest.isEmpty() || !manifest.get(0).path("prefix").isTextual()) {
            throw new TransformFailure("ClientError: the manifest file " + uri + " is not a JSON array whose first item"
                    + " is {\"prefix\": \"s3://bucket/prefix/\"} followed by the keys below it: write it so");
        }
        try {
            S3Uri.parse(manifest.get(0).path("prefix").asText(), "prefix");
        } catch (IllegalArgumentException e) {
            throw new TransformFailure("ClientError: the manifest file " + uri + ": " + e.getMessage());
        }
        for (int i = 1; i < manifest.size(); i++) {
            if (!manifest.get(i).isTextual() || manifest.get(i).asText().isEmpty()) {
                throw new TransformFailure("ClientError: the manifest file " + uri + ": item " + i + " (" + manifest.get(i)
                        + ") is not a key below the prefix: list keys as strings");
            }
        }
        return manifest;
    }

    /** An output name with no ".." segment or leading "/": the output must stay under S3OutputPath. */
    private static String checked(String name, S3Uri source) {
        if (name.startsWith("/") || ("/" + name + "/").contains("/../")) {
            throw new TransformFailure("ClientError: " + source + ": the object name '" + name + "' would put its output"
                    + " outside S3OutputPath: rename it without '..' segments");
        }
        return name;
    }
}
