package dev.stratus.cloud.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Debian's AWS CLI (/usr/bin/aws, 2.9, which needs --endpoint-url), which knows nothing of Stratus, run against a
 * local cloud with its credentials and nothing else from this machine.
 */
public final class AwsCli {

    public static final Path AWS = Path.of("/usr/bin/aws");
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Result(int exitCode, String stdout, String stderr) {
        public JsonNode json() throws Exception {
            return JSON.readTree(stdout);
        }
    }

    private final LocalCloudFixture cloud;
    private final Path work;

    /** @param work the folder the CLI runs in, and where its output goes */
    public AwsCli(LocalCloudFixture cloud, Path work) {
        this.cloud = cloud;
        this.work = work;
    }

    public Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(AWS.toString(), "--endpoint-url", cloud.cloud().endpoint().toString(),
                "--region", "us-east-1", "--output", "json"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("AWS_ACCESS_KEY_ID", cloud.cloud().credentials().accessKeyId());
        env.put("AWS_SECRET_ACCESS_KEY", cloud.cloud().credentials().secretAccessKey());
        env.put("AWS_CONFIG_FILE", work.resolve("no-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-credentials").toString());
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("aws " + String.join(" ", args) + " did not finish");
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
