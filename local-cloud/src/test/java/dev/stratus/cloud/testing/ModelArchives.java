package dev.stratus.cloud.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** model.tar.gz archives made in the tests: well-formed ones for the test model server, and hostile ones. */
public final class ModelArchives {

    /** Writes entries into an archive being made. */
    @FunctionalInterface
    public interface Entries {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    /** A model for {@link TestModelServer}: answers scale * (sum of a row) + bias. */
    public static byte[] model(double scale, double bias) throws IOException {
        return of(Map.of("model.txt", "scale=" + scale + "\nbias=" + bias + "\n", "nested/notes.txt", "a file in a folder\n"));
    }

    /** Regular files, by path. */
    public static byte[] of(Map<String, String> files) throws IOException {
        return of(tar -> {
            for (Map.Entry<String, String> file : files.entrySet()) {
                file(tar, file.getKey(), file.getValue());
            }
        });
    }

    public static byte[] of(Entries entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            entries.write(tar);
        }
        return bytes.toByteArray();
    }

    public static void file(TarArchiveOutputStream tar, String name, String content) throws IOException {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        // Names are taken as given (commons-compress would strip a leading "/" or a "../" through the usual constructor).
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(data.length);
        tar.putArchiveEntry(entry);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    public static void symlink(TarArchiveOutputStream tar, String name, String target) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK, true);
        entry.setLinkName(target);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    public static void folder(TarArchiveOutputStream tar, String name) throws IOException {
        tar.putArchiveEntry(new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true));
        tar.closeArchiveEntry();
    }

    private ModelArchives() {
    }
}
