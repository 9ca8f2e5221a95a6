package dev.stratus.cloud;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Properties;

/**
 * The local cloud's folder (default {@code ~/.stratus}, or {@code STRATUS_HOME}): its
 * credentials, database, S3 objects, job, endpoint and transform job folders, pid and log.
 */
public record CloudHome(Path root) {

    public static final String ACCOUNT_ID = "000000000000";

    /** {@code --home}, else {@code STRATUS_HOME}, else {@code ~/.stratus}. */
    public static CloudHome resolve(String explicit) {
        if (explicit != null) {
            return new CloudHome(Path.of(explicit).toAbsolutePath());
        }
        String env = System.getenv("STRATUS_HOME");
        return new CloudHome(env != null && !env.isBlank() ? Path.of(env).toAbsolutePath()
                : Path.of(System.getProperty("user.home"), ".stratus"));
    }

    public Path database() {
        return root.resolve("state.db");
    }

    public Path objects() {
        return root.resolve("s3");
    }

    public Path jobs() {
        return root.resolve("jobs");
    }

    /** Each endpoint instance's folder, laid out like an inference container's /opt/ml. */
    public Path endpoints() {
        return root.resolve("endpoints");
    }

    /** Each transform job's instances, laid out as endpoint instances are. */
    public Path transformJobs() {
        return root.resolve("transform-jobs");
    }

    public Path images() {
        return root.resolve("images");
    }

    public Path credentialsFile() {
        return root.resolve("credentials");
    }

    /** The one key pair every request must be signed with; made at first start, readable by the owner only. */
    public Credentials credentials() throws IOException {
        Files.createDirectories(root);
        Path file = credentialsFile();
        if (!Files.exists(file)) {
            Properties generated = new Properties();
            generated.setProperty("aws_access_key_id", "AKIA" + random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
            generated.setProperty("aws_secret_access_key",
                    random("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40));
            Path temp = Files.createTempFile(root, "credentials", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (Writer out = Files.newBufferedWriter(temp)) {
                generated.store(out, "Stratus local cloud credentials: sign requests with these (./stratus local env)");
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        }
        Properties stored = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            stored.load(in);
        }
        return new Credentials(stored.getProperty("aws_access_key_id"), stored.getProperty("aws_secret_access_key"));
    }

    private static String random(String alphabet, int length) {
        SecureRandom random = new SecureRandom();
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    /** The local key pair. Its toString never shows the secret in full. */
    public record Credentials(String accessKeyId, String secretAccessKey) {
        @Override
        public String toString() {
            return "Credentials[" + accessKeyId + ", " + secretAccessKey.substring(0, 4) + "****]";
        }
    }
}
