package dev.stratus.cloud.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An AWS CLI, which knows nothing of Stratus, run against a local cloud with its credentials and nothing else from this
 * machine: Debian's (/usr/bin/aws, 2.9, which needs --endpoint-url), or another one found on PATH, such as a pip-installed
 * AWS CLI v1 whose newer botocore speaks other protocols for some services (CloudWatch: awsJson 1.0).
 */
public final class AwsCli {

    public static final Path AWS = Path.of("/usr/bin/aws");
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Result(int exitCode, String stdout, String stderr) {
        public JsonNode json() throws Exception {
            return JSON.readTree(stdout);
        }
    }

    private final Path executable;
    private final LocalCloudFixture cloud;
    private final Path work;

    /** Debian's CLI. @param work the folder the CLI runs in, and where its output goes */
    public AwsCli(LocalCloudFixture cloud, Path work) {
        this(AWS, cloud, work);
    }

    private AwsCli(Path executable, LocalCloudFixture cloud, Path work) {
        this.executable = executable;
        this.cloud = cloud;
        this.work = work;
    }

    /** The first {@code aws} on PATH other than Debian's (a pip or pyenv install), if there is one. */
    public static Optional<AwsCli> otherOnPath(LocalCloudFixture cloud, Path work) throws IOException {
        Path debian = Files.exists(AWS) ? AWS.toRealPath() : AWS;
        for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path aws = Path.of(folder, "aws");
            if (Files.isExecutable(aws) && !aws.toRealPath().equals(debian)) {
                return Optional.of(new AwsCli(aws, cloud, work));
            }
        }
        return Optional.empty();
    }

    public Path executable() {
        return executable;
    }

    public Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(executable.toString(), "--endpoint-url", cloud.cloud().endpoint().toString(),
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
            throw new AssertionError(executable + " " + String.join(" ", args) + " did not finish");
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
