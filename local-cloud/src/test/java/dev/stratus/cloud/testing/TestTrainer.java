package dev.stratus.cloud.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.services.s3.S3Client;

/**
 * A training program for the local cloud's tests that follows SageMaker's container contract:
 * it reads its hyperparameters and channels under SAGEMAKER_BASE_DIR, prints metric lines,
 * keeps a checkpoint, writes a model, and fails, sleeps or reaches S3 when asked to.
 */
public final class TestTrainer {

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !args[0].equals("train")) {
            System.err.println("usage: TestTrainer train");
            System.exit(64);
        }
        Path base = Path.of(System.getenv("SAGEMAKER_BASE_DIR"));
        ObjectMapper json = new ObjectMapper();
        JsonNode hyperparameters = json.readTree(base.resolve("input/config/hyperparameters.json").toFile());
        JsonNode channels = json.readTree(base.resolve("input/config/inputdataconfig.json").toFile());
        String host = json.readTree(base.resolve("input/config/resourceconfig.json").toFile()).path("current_host").asText();
        System.out.println("job " + System.getenv("TRAINING_JOB_NAME") + " on " + host + " (SM_CURRENT_HOST=" + System.getenv("SM_CURRENT_HOST") + ")");

        StringBuilder model = new StringBuilder("host=" + host + "\n");
        for (var channel : (Iterable<Map.Entry<String, JsonNode>>) channels::fields) {
            Path dir = base.resolve("input/data").resolve(channel.getKey());
            long files;
            long lines = 0;
            try (Stream<Path> walk = Files.walk(dir)) {
                var all = walk.filter(Files::isRegularFile).sorted().toList();
                files = all.size();
                for (Path file : all) {
                    lines += Files.readAllLines(file).size();
                }
            }
            System.out.println("channel " + channel.getKey() + ": " + files + " files, " + lines + " lines");
            model.append(channel.getKey()).append('=').append(files).append(" files ").append(lines).append(" lines\n");
        }

        if (hyperparameters.has("list_bucket")) {
            // Reaches S3 the way any SDK in a container does: endpoint and credentials from the environment.
            try (S3Client s3 = S3Client.builder().forcePathStyle(true).build()) {
                int count = s3.listObjectsV2(r -> r.bucket(hyperparameters.path("list_bucket").asText())).contents().size();
                System.out.println("bucket objects: " + count);
            }
        }

        Path checkpoints = base.resolve("checkpoints");
        int restored = 0;
        if (Files.exists(checkpoints.resolve("epoch.txt"))) {
            restored = Integer.parseInt(Files.readString(checkpoints.resolve("epoch.txt")).strip());
            System.out.println("restored checkpoint: epoch " + restored);
        }
        int epochs = hyperparameters.path("epochs").asInt(2);
        long sleepMs = hyperparameters.path("sleep_ms").asLong(0);
        for (int epoch = restored + 1; epoch <= restored + epochs; epoch++) {
            System.out.println("epoch=" + epoch + " loss=" + (1.0 / epoch));
            System.err.println("progress " + epoch + "/" + (restored + epochs));
            if (Files.isDirectory(checkpoints)) {
                Files.writeString(checkpoints.resolve("epoch.txt"), Integer.toString(epoch));
            }
            Thread.sleep(sleepMs);
        }
        Thread.sleep(hyperparameters.path("sleep_seconds").asLong(0) * 1000);

        if (hyperparameters.path("fail").asBoolean(false)) {
            Files.writeString(base.resolve("output/failure"), "test trainer failed on request\nsecond line of detail");
            System.exit(3);
        }
        Files.writeString(base.resolve("model/model.txt"), model.toString());
        Files.createDirectories(base.resolve("model/nested"));
        Files.writeString(base.resolve("model/nested/weights.bin"), "w".repeat(100));
        Files.writeString(base.resolve("output/data/summary.txt"), "epochs=" + epochs + "\n");
        System.out.print("done without a final newline");
        System.exit(hyperparameters.path("exit_code").asInt(0));
    }

    private TestTrainer() {
    }
}
