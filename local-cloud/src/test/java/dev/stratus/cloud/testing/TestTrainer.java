package dev.stratus.cloud.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.services.s3.S3Client;

/**
 * A training program for the local cloud's tests that follows SageMaker's container contract:
 * it reads its hyperparameters and channels under SAGEMAKER_BASE_DIR, prints metric lines,
 * keeps a checkpoint, writes a model, and fails, sleeps, reaches S3 or meets the job's other hosts when
 * asked to.
 */
public final class TestTrainer {

    /** The first host's listener when it meets the others: open until the program ends, never collected before. */
    private static ServerSocket listener;

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !args[0].equals("train")) {
            System.err.println("usage: TestTrainer train");
            System.exit(64);
        }
        Path base = Path.of(System.getenv("SAGEMAKER_BASE_DIR"));
        ObjectMapper json = new ObjectMapper();
        JsonNode hyperparameters = json.readTree(base.resolve("input/config/hyperparameters.json").toFile());
        JsonNode channels = json.readTree(base.resolve("input/config/inputdataconfig.json").toFile());
        JsonNode resources = json.readTree(base.resolve("input/config/resourceconfig.json").toFile());
        String host = resources.path("current_host").asText();
        System.out.println("job " + System.getenv("TRAINING_JOB_NAME") + " on " + host + " (SM_CURRENT_HOST=" + System.getenv("SM_CURRENT_HOST") + ")");
        if (hyperparameters.path("fail_on_host").asText().equals(host)) {
            Files.writeString(base.resolve("output/failure"), "test trainer failed on " + host);
            System.exit(4);
        }
        if (hyperparameters.path("meet_peers").asBoolean(false)) {
            List<String> hosts = new ArrayList<>();
            resources.path("hosts").forEach(h -> hosts.add(h.asText()));
            meetPeers(host, hosts);
        }

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

    /**
     * The first host listens at STRATUS_FIRST_HOST_ADDRESS until every other host has said its name, and
     * keeps listening until the program ends; the others connect there, as distributed algorithms find
     * their first host.
     */
    private static void meetPeers(String host, List<String> hosts) throws Exception {
        String address = System.getenv("STRATUS_FIRST_HOST_ADDRESS");
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        if (host.equals(hosts.get(0))) {
            listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            System.out.println("listening on " + address);
            for (int i = 1; i < hosts.size(); i++) {
                try (Socket peer = listener.accept()) {
                    System.out.println("met " + new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8)).readLine());
                }
            }
            return;
        }
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            try (Socket first = new Socket(InetAddress.getLoopbackAddress(), port)) {
                first.getOutputStream().write((host + "\n").getBytes(StandardCharsets.UTF_8));
                System.out.println("met " + hosts.get(0) + " at " + address);
                return;
            } catch (ConnectException notYet) {
                if (Instant.now().isAfter(deadline)) {
                    throw notYet;
                }
                Thread.sleep(100);
            }
        }
    }

    private TestTrainer() {
    }
}
