package dev.stratus.algorithms.xgboost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stratus.algorithms.ContainerFixture;
import dev.stratus.algorithms.Dataset;

/**
 * Two hosts of one job, as the local cloud runs them: each its own process, with its own base
 * directory and its own share of the data, finding the first host at {@code STRATUS_FIRST_HOST_ADDRESS}.
 */
class XGBoostDistributedTest {

    private static final List<String> HOSTS = List.of("algo-1", "algo-2");
    private static final Pattern ROUND = Pattern.compile("\\[[0-9]+\\]#011train-rmse:\\S+#011validation-rmse:(\\S+)");

    @TempDir
    Path job;

    @Test
    void twoHostsTrainOneModelAsGoodAsOneHostOnAllTheData() throws Exception {
        Dataset data = Dataset.regression(3000, 11);
        Dataset heldOut = data.rows(2400, 3000);
        String[] hyperparameters = {"num_round", "30", "max_depth", "4", "eta", "0.3"};
        // Train and validation both sharded: each host has half of each.
        List<ContainerFixture> hosts = hosts((host, container) -> container.hyperparameters(hyperparameters)
                .channel("train", "text/csv", Map.of("part-" + host + ".csv", data.rows(host * 1200, (host + 1) * 1200).csv()))
                .channel("validation", "text/csv", Map.of("part-" + host + ".csv",
                        data.rows(2400 + host * 300, 2700 + host * 300).csv())));

        List<ContainerFixture.Run> runs = run(hosts);

        for (ContainerFixture.Run run : runs) {
            assertEquals(0, run.exitCode(), run.output());
            assertTrue(run.output().contains("Distributed node training with 2 hosts: ['algo-1', 'algo-2']"), run.output());
            assertTrue(run.output().contains("Train matrix has 1200 rows and 2 features"), run.output());
        }
        List<String> rounds = runs.get(0).output().lines().filter(line -> ROUND.matcher(line).matches()).toList();
        assertEquals(30, rounds.size(), runs.get(0).output());
        assertFalse(runs.get(1).output().contains("#011"), "only the first host logs the rounds: " + runs.get(1).output());
        assertTrue(Files.isRegularFile(hosts.get(0).base().resolve("model/xgboost-model")));
        assertFalse(Files.exists(hosts.get(1).base().resolve("model")), "SageMaker takes the model from the first host; the others write none");

        double distributed = XGBoostTrainerTest.rmse(XGBoostTrainerTest.predict(hosts.get(0).base(), heldOut, 0), heldOut.labels());
        Matcher last = ROUND.matcher(rounds.get(29));
        assertTrue(last.matches());
        // The logged metric is over both hosts' validation shares together: the whole held-out set.
        assertEquals(distributed, Double.parseDouble(last.group(1)), 1e-4);

        ContainerFixture single = new ContainerFixture(job.resolve("single")).hyperparameters(hyperparameters)
                .channel("train", "text/csv", Map.of("train.csv", data.rows(0, 2400).csv()))
                .channel("validation", "text/csv", Map.of("validation.csv", heldOut.csv()));
        new XGBoostTrainer(new PrintStream(OutputStream.nullOutputStream())).train(single.context());
        double alone = XGBoostTrainerTest.rmse(XGBoostTrainerTest.predict(single.base(), heldOut, 0), heldOut.labels());
        System.out.printf("held-out RMSE: two hosts %.4f, one host %.4f%n", distributed, alone);
        assertEquals(alone, distributed, 0.01);
    }

    @Test
    void whenOneHostDiesTheOtherFailsAtOnceWithAReason() throws Exception {
        Dataset data = Dataset.regression(2000, 12);
        // Far more rounds than the test waits for: only the lost host can end the first one early.
        List<ContainerFixture> hosts = hosts((host, container) -> container.hyperparameters("num_round", "1000000", "max_depth", "4")
                .channel("train", "text/csv", Map.of("part-" + host + ".csv", data.rows(host * 1000, (host + 1) * 1000).csv()))
                .channel("validation", "text/csv", Map.of("validation.csv", data.rows(0, 100).csv())));
        Map<String, String> environment = firstHostAddress();
        Process first = hosts.get(0).startTraining(XGBoostAlgorithm.class, environment);
        Process second = hosts.get(1).startTraining(XGBoostAlgorithm.class, environment);
        try {
            Instant deadline = Instant.now().plusSeconds(30);
            while (!hosts.get(0).trainingOutput().contains("[20]#011")) {
                assertTrue(first.isAlive() && Instant.now().isBefore(deadline), "no rounds: " + hosts.get(0).trainingOutput());
                Thread.sleep(20);
            }
            second.destroyForcibly();
            Instant killed = Instant.now();

            ContainerFixture.Run run = hosts.get(0).awaitTraining(first);

            assertTrue(Duration.between(killed, Instant.now()).toSeconds() < 10, "the first host noticed late");
            assertNotEquals(0, run.exitCode(), run.output());
            String failure = hosts.get(0).failure();
            assertTrue(failure.startsWith("AlgorithmError: XGB train call failed with exception: "), failure);
            assertFalse(failure.contains("\n"), failure);
        } finally {
            first.destroyForcibly();
            second.destroyForcibly();
        }
    }

    @Test
    void badHyperparametersFailEveryHostWithSageMakersClientError() throws Exception {
        String csv = Dataset.regression(100, 13).csv();
        List<ContainerFixture> hosts = hosts((host, container) -> container.hyperparameters("num_round", "5", "eta", "fast")
                .channel("train", "text/csv", Map.of("train.csv", csv)));
        for (ContainerFixture.Run run : run(hosts)) {
            assertEquals(2, run.exitCode(), run.output());
        }
        for (ContainerFixture host : hosts) {
            assertEquals("ClientError: Hyperparameter eta: 'fast' is not a number", host.failure());
        }

        // Accepted on one host, refused by XGBoost itself on several.
        hosts.forEach(host -> host.hyperparameters("num_round", "5", "tree_method", "exact"));
        for (ContainerFixture.Run run : run(hosts)) {
            assertEquals(2, run.exitCode(), run.output());
        }
        assertEquals("ClientError: Updater `grow_colmaker` or `exact` tree method doesn't support distributed training.",
                hosts.get(0).failure());
    }

    @Test
    void aHostWithoutAShareOfTheDataTakesPartWithNone() throws Exception {
        String csv = Dataset.regression(300, 14).csv();
        // ShardedByS3Key with one object and two hosts: the second host's folder is empty.
        List<ContainerFixture> hosts = hosts((host, container) -> container.hyperparameters("num_round", "5")
                .channel("train", "text/csv", host == 0 ? Map.of("train.csv", csv) : Map.of()));

        List<ContainerFixture.Run> runs = run(hosts);

        assertEquals(0, runs.get(0).exitCode(), runs.get(0).output());
        assertEquals(0, runs.get(1).exitCode(), runs.get(1).output());
        assertTrue(runs.get(1).output().contains("Host algo-2 has no data in channel train: it takes part with none."),
                runs.get(1).output());
        assertTrue(runs.get(0).output().contains("[4]#011train-rmse:"), runs.get(0).output());
    }

    @Test
    void withoutTheFirstHostsAddressAHostSaysWhatIsMissing() throws Exception {
        ContainerFixture host = new ContainerFixture(job.resolve("algo-2")).hosts("algo-2", HOSTS)
                .hyperparameters("num_round", "5")
                .channel("train", "text/csv", Map.of("train.csv", Dataset.regression(100, 15).csv()));

        host.assertRefused(new XGBoostTrainer(new PrintStream(OutputStream.nullOutputStream())),
                "AlgorithmError: training on 2 hosts needs STRATUS_FIRST_HOST_ADDRESS (host:port where algo-1 listens");
    }

    /** A container for each of {@link #HOSTS}, set up by {@code setup} (given the host's index). */
    private List<ContainerFixture> hosts(BiConsumer<Integer, ContainerFixture> setup) {
        List<ContainerFixture> hosts = new ArrayList<>();
        for (int i = 0; i < HOSTS.size(); i++) {
            ContainerFixture host = new ContainerFixture(job.resolve(HOSTS.get(i))).hosts(HOSTS.get(i), HOSTS);
            setup.accept(i, host);
            hosts.add(host);
        }
        return hosts;
    }

    /** Runs every host's process side by side, as the local cloud starts them, and waits for all. */
    private static List<ContainerFixture.Run> run(List<ContainerFixture> hosts) throws Exception {
        Map<String, String> environment = firstHostAddress();
        List<Process> processes = new ArrayList<>();
        for (ContainerFixture host : hosts) {
            processes.add(host.startTraining(XGBoostAlgorithm.class, environment));
        }
        List<ContainerFixture.Run> runs = new ArrayList<>();
        try {
            for (int i = 0; i < hosts.size(); i++) {
                runs.add(hosts.get(i).awaitTraining(processes.get(i)));
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
        return runs;
    }

    /** A free loopback port for the first host's tracker, as the local cloud picks one for each job. */
    private static Map<String, String> firstHostAddress() throws IOException {
        return Map.of(DistributedTraining.FIRST_HOST_ADDRESS, "127.0.0.1:" + ContainerFixture.freeLoopbackPort());
    }
}
