package dev.stratus.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingMainTest {

    @TempDir
    Path base;

    @Test
    void successExitsZeroWithoutAFailureFile() throws Exception {
        int code = TrainingMain.execute(context -> {
            Files.createDirectories(context.modelDir());
            Files.writeString(context.modelDir().resolve("model.txt"), "fitted");
        }, new String[] {"train"}, base, Map.of());

        assertEquals(TrainingMain.SUCCESS, code);
        assertEquals("fitted", Files.readString(base.resolve("model/model.txt")));
        assertNull(new ContainerFixture(base).failure());
    }

    @Test
    void anAlgorithmErrorIsTheFailureReasonAsWrittenAndExitsTwo() throws Exception {
        int code = TrainingMain.execute(context -> {
            throw AlgorithmError.clientError("Hyperparameter eta: 'fast' is not a number");
        }, new String[] {"train"}, base, Map.of());

        assertEquals(2, code);
        assertEquals("ClientError: Hyperparameter eta: 'fast' is not a number", new ContainerFixture(base).failure());
    }

    @Test
    void anyOtherFailureIsAnAlgorithmErrorAndExitsOne() throws Exception {
        int code = TrainingMain.execute(context -> {
            throw new IllegalStateException("boom");
        }, new String[] {"train"}, base, Map.of());

        assertEquals(1, code);
        assertEquals("AlgorithmError: java.lang.IllegalStateException: boom", new ContainerFixture(base).failure());
    }

    @Test
    void onlyTrainIsAccepted() throws Exception {
        assertEquals(2, TrainingMain.execute(context -> { }, new String[] {"serve"}, base, Map.of()));
        assertEquals(2, TrainingMain.execute(context -> { }, new String[0], base, Map.of()));
        assertNull(new ContainerFixture(base).failure());
    }
}
