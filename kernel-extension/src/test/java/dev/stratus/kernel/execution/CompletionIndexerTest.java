package dev.stratus.kernel.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.stratus.kernel.PrivateFields;

class CompletionIndexerTest {

    @Test
    void jshellsIndexerRunsAtTheLowestPriorityAndPackagesStillComplete() throws Exception {
        try (JavaEvaluator java = new JavaEvaluator()) {
            CompletionIndexer.runAtLowestPriority().get(10, TimeUnit.SECONDS);
            ExecutorService indexer = (ExecutorService) PrivateFields.open(Class.forName("jdk.jshell.SourceCodeAnalysisImpl"),
                    "INDEXER").get(null);
            String stat = indexer.submit(() -> Files.readString(Path.of("/proc/thread-self/stat"))).get(10, TimeUnit.SECONDS);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertEquals("19", fields[16], "nice value of the indexer's thread: " + stat);

            // Package names come from the index; the machine is not busy, so it is soon done.
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            List<String> candidates = List.of();
            while (candidates.stream().noneMatch(c -> c.startsWith("util")) && Instant.now().isBefore(deadline)) {
                candidates = java.complete("import java.ut", "import java.ut".length(), new int[1]);
                Thread.sleep(100);
            }
            assertTrue(candidates.stream().anyMatch(c -> c.startsWith("util")), "completions of java.ut: " + candidates);
        }
    }
}
