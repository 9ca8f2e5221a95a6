package dev.stratus.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;

/** A base directory laid out like a training container's {@code /opt/ml}, written by tests. */
public final class ContainerFixture {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path base;
    private final Map<String, Map<String, String>> channels = new LinkedHashMap<>();

    public ContainerFixture(Path base) {
        this.base = base;
        hyperparameters(Map.of());
        channels(); // an empty inputdataconfig.json until channels are added
    }

    public Path base() {
        return base;
    }

    public TrainingContext context() {
        return TrainingContext.of(base, Map.of());
    }

    /** Alternating names and values. */
    public ContainerFixture hyperparameters(String... namesAndValues) {
        Map<String, String> hyperparameters = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            hyperparameters.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return hyperparameters(hyperparameters);
    }

    public ContainerFixture hyperparameters(Map<String, String> hyperparameters) {
        return write("input/config/hyperparameters.json", hyperparameters);
    }

    /** A File-mode channel with the given ContentType (null for none) and files (name to content), replacing any before. */
    public ContainerFixture channel(String name, String contentType, Map<String, String> files) {
        Map<String, String> config = new LinkedHashMap<>();
        if (contentType != null) {
            config.put("ContentType", contentType);
        }
        config.put("TrainingInputMode", "File");
        config.put("S3DistributionType", "FullyReplicated");
        config.put("RecordWrapperType", "None");
        channels.put(name, config);
        channels();
        try {
            Path folder = base.resolve("input/data").resolve(name);
            if (Files.exists(folder)) {
                try (Stream<Path> old = Files.walk(folder)) {
                    for (Path path : old.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            }
            Files.createDirectories(folder);
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path path = folder.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public ContainerFixture hosts(String current, List<String> hosts) {
        return write("input/config/resourceconfig.json",
                Map.of("current_host", current, "hosts", hosts, "network_interface_name", "lo"));
    }

    public ContainerFixture write(String relativePath, Object json) {
        try {
            Path file = base.resolve(relativePath);
            Files.createDirectories(file.getParent());
            JSON.writeValue(file.toFile(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** {@code output/failure}, or null when the job wrote none. */
    public String failure() throws IOException {
        Path failure = base.resolve("output/failure");
        return Files.exists(failure) ? Files.readString(failure) : null;
    }

    /**
     * Runs {@code trainer} on this container as the platform starts it ({@code train}) and checks that it
     * refused the job: exit code 2 and a one-line {@code output/failure} that starts with {@code reason}.
     */
    public void assertRefused(Trainer trainer, String reason) throws IOException {
        int code = TrainingMain.execute(trainer, new String[] {"train"}, base, Map.of());

        String failure = failure();
        assertNotNull(failure, "no output/failure");
        assertEquals(TrainingMain.ALGORITHM_ERROR, code, failure);
        assertTrue(failure.startsWith(reason), failure);
        assertFalse(failure.contains("\n"), failure);
    }

    /** How a program run in its own process ended: its exit code, and its stdout and stderr together. */
    public record Run(int exitCode, String output) {
    }

    /**
     * Runs {@code main} as the local cloud starts an algorithm: its own JVM (this test's class path),
     * {@code train}, and SAGEMAKER_BASE_DIR naming this container.
     */
    public Run runInOwnProcess(Class<?> main) throws IOException, InterruptedException {
        return runInOwnProcess(main, "train");
    }

    /** As {@link #runInOwnProcess(Class)}, started with {@code mode} in place of {@code train}. */
    public Run runInOwnProcess(Class<?> main, String mode) throws IOException, InterruptedException {
        return await(start(main, mode, Map.of()), mode);
    }

    /**
     * Starts {@code main} as {@code train} in its own JVM, as {@link #runInOwnProcess} does, with
     * {@code environment} added, and returns at once: several hosts of one job run side by side. Its
     * output goes to {@code <container>-train.log} beside the container.
     */
    public Process startTraining(Class<?> main, Map<String, String> environment) throws IOException {
        return start(main, "train", environment);
    }

    /** Waits (a minute at most) for a program started by {@link #startTraining} to end. */
    public Run awaitTraining(Process process) throws IOException, InterruptedException {
        return await(process, "train");
    }

    private Run await(Process process, String mode) throws IOException, InterruptedException {
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the algorithm did not end");
        return new Run(process.exitValue(), Files.readString(log(mode), StandardCharsets.UTF_8));
    }

    /** What the program started by {@link #startTraining} has printed so far. */
    public String trainingOutput() throws IOException {
        return Files.readString(log("train"), StandardCharsets.UTF_8);
    }

    /**
     * Starts {@code main} as {@code serve} in its own JVM on {@code port}, with this container's {@code model/};
     * its output goes to {@code <container>-serve.log} beside the container. The caller stops it.
     */
    public Process serveInOwnProcess(Class<?> main, int port) throws IOException {
        return start(main, "serve", Map.of("SAGEMAKER_BIND_TO_PORT", Integer.toString(port)));
    }

    private Process start(Class<?> main, String mode, Map<String, String> environment) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                main.getName(), mode).redirectErrorStream(true).redirectOutput(log(mode).toFile());
        builder.environment().put("SAGEMAKER_BASE_DIR", base.toString());
        // As the local cloud sets it for every job: XGBoost's threads would otherwise spin.
        builder.environment().put("OMP_WAIT_POLICY", "passive");
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** A port on 127.0.0.1 that nothing listens on now. */
    public static int freeLoopbackPort() throws IOException {
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return free.getLocalPort();
        }
    }

    /** Where a program started in {@code mode} writes its output: beside the container, not in it. */
    private Path log(String mode) {
        return base.resolveSibling(base.getFileName() + "-" + mode + ".log");
    }

    private void channels() {
        write("input/config/inputdataconfig.json", channels);
    }
}
