package dev.stratus.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingContextTest {

    @TempDir
    Path base;

    @Test
    void readsTheConfigFilesSageMakerWrites() {
        TrainingContext context = new ContainerFixture(base)
                .hyperparameters("num_round", "10", "eta", "0.3")
                .channel("train", "text/csv", Map.of("a.csv", "1,2\n"))
                .channel("validation", null, Map.of())
                .hosts("algo-2", List.of("algo-1", "algo-2"))
                .context();

        assertEquals(Map.of("num_round", "10", "eta", "0.3"), context.hyperparameters());
        assertEquals(Set.of("train", "validation"), context.channels());
        assertEquals(base.resolve("input/data/train"), context.channel("train"));
        assertEquals(Optional.of("text/csv"), context.contentType("train"));
        assertEquals(Optional.empty(), context.contentType("validation"));
        assertEquals("FullyReplicated", context.channelConfig("train").get("S3DistributionType"));
        assertEquals("algo-2", context.currentHost());
        assertEquals(List.of("algo-1", "algo-2"), context.hosts());
        assertEquals(base.resolve("model"), context.modelDir());
        assertEquals(base.resolve("output/data"), context.outputDataDir());
    }

    @Test
    void aContainerWithoutOptionalFilesIsAOneInstanceJobWithDefaults() {
        TrainingContext context = TrainingContext.of(base, Map.of("TRAINING_JOB_NAME", "job-1"));

        assertTrue(context.hyperparameters().isEmpty());
        assertTrue(context.channels().isEmpty());
        assertEquals("algo-1", context.currentHost());
        assertEquals(List.of("algo-1"), context.hosts());
        assertEquals(base.resolve("checkpoints"), context.checkpointDir());
        assertEquals("job-1", context.environment().get("TRAINING_JOB_NAME"));
    }

    @Test
    void checkpointLocalPathIsAContainerPathUnderTheBaseDirectory() {
        new ContainerFixture(base).write("input/config/checkpointconfig.json",
                Map.of("LocalPath", "/opt/ml/my-checkpoints", "S3Uri", "s3://bucket/ckpt"));
        assertEquals(base.resolve("my-checkpoints"), TrainingContext.of(base, Map.of()).checkpointDir());

        new ContainerFixture(base).write("input/config/checkpointconfig.json", Map.of("LocalPath", "/tmp/ckpt"));
        assertEquals(base.resolve("tmp/ckpt"), TrainingContext.of(base, Map.of()).checkpointDir());
    }

    @Test
    void typedHyperparametersFailWithMessagesNamingTheHyperparameter() throws AlgorithmError {
        TrainingContext context = new ContainerFixture(base)
                .hyperparameters("rounds", "12", "rate", "0.5", "shuffle", "TRUE", "bad_int", "1.5", "bad_number", "fast",
                        "bad_flag", "yes", "infinite", "Infinity")
                .context();

        assertEquals(12, context.intHyperparameter("rounds", 1));
        assertEquals(7, context.intHyperparameter("absent", 7));
        assertEquals(0.5, context.doubleHyperparameter("rate", 0.1));
        assertTrue(context.booleanHyperparameter("shuffle", false));
        assertFalse(context.booleanHyperparameter("absent", false));
        assertEquals("x", context.hyperparameter("absent", "x"));

        assertMessage("ClientError: Missing required hyperparameter: epochs", () -> context.requiredHyperparameter("epochs"));
        assertMessage("ClientError: Hyperparameter bad_int: '1.5' is not an integer", () -> context.intHyperparameter("bad_int", 0));
        assertMessage("ClientError: Hyperparameter bad_number: 'fast' is not a number",
                () -> context.doubleHyperparameter("bad_number", 0));
        assertMessage("ClientError: Hyperparameter infinite: 'Infinity' is not a number",
                () -> context.doubleHyperparameter("infinite", 0));
        assertMessage("ClientError: Hyperparameter bad_flag: 'yes' is not true or false",
                () -> context.booleanHyperparameter("bad_flag", false));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        assertEquals(expected, assertThrows(AlgorithmError.class, call).getMessage());
    }
}
