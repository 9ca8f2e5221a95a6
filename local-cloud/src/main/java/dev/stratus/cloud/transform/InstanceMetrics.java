package dev.stratus.cloud.transform;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import dev.stratus.cloud.endpoints.Instance;
import dev.stratus.cloud.metrics.MetricsService;

/**
 * SageMaker's instance metrics of a transform job (namespace {@code /aws/sagemaker/TransformJobs}, dimension
 * {@code Host=<job>/<instance id>}), read from the instance's process: CPUUtilization (percent of one core, so up to
 * 100 times the cores, as SageMaker counts it) since the last sample, MemoryUtilization (its resident memory, percent
 * of the machine's) and DiskUtilization (percent used of the disk holding the job's folder).
 */
final class InstanceMetrics {

    static final String NAMESPACE = "/aws/sagemaker/TransformJobs";
    private static final long TOTAL_MEMORY = ((com.sun.management.OperatingSystemMXBean)
            ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();

    private final Instance instance;
    private final String job;
    private final MetricsService metrics;
    private final Path folder;
    private Instant lastTime;
    private Duration lastCpu = Duration.ZERO;

    InstanceMetrics(Instance instance, String job, MetricsService metrics, Path folder) {
        this.instance = instance;
        this.job = job;
        this.metrics = metrics;
        this.folder = folder;
    }

    synchronized void sample() {
        Optional<ProcessHandle> process = ProcessHandle.of(instance.pid());
        if (process.isEmpty() || instance.id() == null) {
            return;
        }
        Instant now = Instant.now();
        Map<String, String> host = Map.of("Host", job + "/" + instance.id());
        ProcessHandle.Info info = process.get().info();
        Optional<Duration> cpu = info.totalCpuDuration();
        Instant since = lastTime != null ? lastTime : info.startInstant().orElse(null);
        if (cpu.isPresent() && since != null && now.isAfter(since)) {
            double percent = 100.0 * cpu.get().minus(lastCpu).toNanos() / Duration.between(since, now).toNanos();
            metrics.put(NAMESPACE, "CPUUtilization", host, now, Math.max(0, percent), "Percent");
            lastCpu = cpu.get();
            lastTime = now;
        }
        residentBytes(instance.pid()).ifPresent(rss ->
                metrics.put(NAMESPACE, "MemoryUtilization", host, now, 100.0 * rss / TOTAL_MEMORY, "Percent"));
        try {
            FileStore disk = Files.getFileStore(folder);
            metrics.put(NAMESPACE, "DiskUtilization", host, now,
                    100.0 * (disk.getTotalSpace() - disk.getUsableSpace()) / disk.getTotalSpace(), "Percent");
        } catch (IOException gone) {
            // The job's folder is being removed: the last sample stands.
        }
    }

    /** VmRSS from /proc (Linux); empty elsewhere or once the process is gone. */
    private static Optional<Long> residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux, or the process has ended.
        }
        return Optional.empty();
    }
}
