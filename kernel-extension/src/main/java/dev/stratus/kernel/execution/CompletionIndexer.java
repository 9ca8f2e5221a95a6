package dev.stratus.kernel.execution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.logging.Logger;

import dev.stratus.kernel.PrivateFields;

/**
 * JShell's completion indexer: a thread of its own, one for the JVM, that lists the packages and classes of the JDK
 * and the class path (for completing {@code java.ut} and unimported names), from a kernel's first cell on and again
 * whenever the class path grows. That is about 0.7 s of CPU, spent while the first cells compile on the same two
 * cores. It runs at the lowest CPU priority (nice 19), taking only the CPU that cells leave idle; completion works as
 * before once it is done. JShell has no setting for it: the kernelspec opens jdk.jshell for this.
 */
final class CompletionIndexer {

    private static final Logger LOG = Logger.getLogger(CompletionIndexer.class.getName());

    private static Future<?> lowered;

    private CompletionIndexer() {
    }

    /**
     * Before the JVM's first JShell analysis, so that the indexer's first task, which also makes its thread, is the
     * one lowering that thread's priority. Once per JVM; a failure only leaves the indexer at normal priority.
     */
    static synchronized Future<?> runAtLowestPriority() {
        if (lowered == null) {
            try {
                Class<?> analysis = Class.forName("jdk.jshell.SourceCodeAnalysisImpl");
                ExecutorService indexer = (ExecutorService) PrivateFields.open(analysis, "INDEXER").get(null);
                lowered = indexer.submit(CompletionIndexer::lowerThisThread);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.fine("JShell's completion indexer keeps its priority: " + e);
                lowered = CompletableFuture.completedFuture(null);
            }
        }
        return lowered;
    }

    private static void lowerThisThread() {
        try {
            // Linux gives each thread its own nice value; /proc/thread-self names this one.
            String thread = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            new ProcessBuilder("renice", "-n", "19", "-p", thread).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.fine("JShell's completion indexer keeps its priority (no /proc or renice here): " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
