package dev.stratus.algorithms.scriptmode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import dev.stratus.algorithms.Trainer;

/**
 * A user's code as script mode receives it, made in a test as a user makes it: Java sources compiled against
 * Stratus's algorithms API alone into a jar, packed into a {@code .tar.gz}.
 */
public final class UserCodeFixture {

    private UserCodeFixture() {
    }

    /** Compiles {@code sources} (full class name to source) into a jar, and returns the jar. */
    public static byte[] jar(Map<String, String> sources) throws IOException {
        Path work = Files.createTempDirectory("user-code");
        try {
            List<String> args = new ArrayList<>(List.of("--release", "17", "-proc:none", "-d", work.resolve("classes").toString(),
                    "-classpath", api().toString()));
            for (Map.Entry<String, String> source : sources.entrySet()) {
                Path file = work.resolve("src").resolve(source.getKey().replace('.', '/') + ".java");
                Files.createDirectories(file.getParent());
                Files.writeString(file, source.getValue());
                args.add(file.toString());
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            if (javac.run(null, errors, errors, args.toArray(String[]::new)) != 0) {
                throw new AssertionError("the user's code does not compile:\n" + errors.toString(StandardCharsets.UTF_8));
            }
            ByteArrayOutputStream jar = new ByteArrayOutputStream();
            try (JarOutputStream out = new JarOutputStream(jar); Stream<Path> classes = Files.walk(work.resolve("classes"))) {
                for (Path file : classes.filter(Files::isRegularFile).sorted().toList()) {
                    out.putNextEntry(new JarEntry(work.resolve("classes").relativize(file).toString()));
                    Files.copy(file, out);
                    out.closeEntry();
                }
            }
            return jar.toByteArray();
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    /** A {@code .tar.gz} of {@code files} (name in the archive to content), names taken as given, "../x" too. */
    public static byte[] tarGz(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey(), true);
                entry.setSize(file.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** Where Stratus's API is: the algorithms module's classes or jar, as a user's build depends on it. */
    private static Path api() {
        try {
            return Path.of(Trainer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
