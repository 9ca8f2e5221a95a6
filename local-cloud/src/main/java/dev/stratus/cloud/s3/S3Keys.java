package dev.stratus.cloud.s3;

import java.util.ArrayList;
import java.util.List;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.StorageType;
import org.jclouds.blobstore.options.ListContainerOptions;

/** Listing the local S3 store in-process, as SageMaker reads an S3Prefix: every key that starts with it. */
public final class S3Keys {

    private S3Keys() {
    }

    /**
     * The keys that start with {@code prefix}'s key, sorted; none is an empty list.
     *
     * @throws org.jclouds.blobstore.ContainerNotFoundException when the bucket does not exist
     */
    public static List<String> under(BlobStore store, S3Uri prefix) {
        List<String> keys = new ArrayList<>();
        String folder = prefix.key().contains("/") ? prefix.key().substring(0, prefix.key().lastIndexOf('/') + 1) : "";
        String marker = null;
        do {
            ListContainerOptions options = ListContainerOptions.Builder.recursive();
            if (!folder.isEmpty()) {
                options.prefix(folder);
            }
            if (marker != null) {
                options.afterMarker(marker);
            }
            var page = store.list(prefix.bucket(), options);
            for (StorageMetadata entry : page) {
                if (entry.getType() == StorageType.BLOB && entry.getName().startsWith(prefix.key())) {
                    keys.add(entry.getName());
                }
            }
            marker = page.getNextMarker();
        } while (marker != null);
        keys.sort(null);
        return keys;
    }

    /** Where an object under {@code prefix} lands below a folder: its key after the prefix's last "/". */
    public static String relative(S3Uri prefix, String key) {
        return key.substring(prefix.key().lastIndexOf('/') + 1);
    }
}
