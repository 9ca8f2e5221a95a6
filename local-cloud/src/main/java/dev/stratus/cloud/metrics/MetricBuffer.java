package dev.stratus.cloud.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A local service's own metrics, such as SageMaker's per-invocation endpoint metrics: values are summed
 * per metric and storage resolution (a minute, or a second) in memory and written as statistic sets every
 * {@code flushEvery}, so that a thousand requests a second cost a write a second rather than thousands, and
 * memory stays bounded by the number of metrics.
 */
public final class MetricBuffer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MetricBuffer.class.getName());

    private record Key(String namespace, String metricName, Map<String, String> dimensions, String unit, long slot) {
    }

    private static final class Sums {
        private double count;
        private double sum;
        private double minimum = Double.POSITIVE_INFINITY;
        private double maximum = Double.NEGATIVE_INFINITY;

        synchronized void add(double value) {
            count++;
            sum += value;
            minimum = Math.min(minimum, value);
            maximum = Math.max(maximum, value);
        }
    }

    private final MetricsService metrics;
    private final int resolution;
    private final ScheduledExecutorService flusher;
    /** Adds share the read side; a flush takes the write side to swap the map, so no add lands in a map already written. */
    private final ReadWriteLock swap = new ReentrantReadWriteLock();
    private Map<Key, Sums> pending = new ConcurrentHashMap<>();

    /** @param resolution the storage resolution in seconds, as PutMetricData's StorageResolution: 60 (standard) or 1 */
    public MetricBuffer(MetricsService metrics, int resolution, Duration flushEvery) {
        this.metrics = metrics;
        this.resolution = resolution;
        this.flusher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "metric-buffer");
            thread.setDaemon(true);
            return thread;
        });
        flusher.scheduleWithFixedDelay(this::flush, flushEvery.toMillis(), flushEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Adds one value of a metric at {@code time}, in {@code unit} (a CloudWatch unit, or null for None). */
    public void add(String namespace, String metricName, Map<String, String> dimensions, Instant time, double value, String unit) {
        Key key = new Key(namespace, metricName, dimensions, unit, time.getEpochSecond() / resolution);
        swap.readLock().lock();
        try {
            pending.computeIfAbsent(key, k -> new Sums()).add(value);
        } finally {
            swap.readLock().unlock();
        }
    }

    /** Writes what was added since the last flush. */
    public void flush() {
        Map<Key, Sums> taken;
        swap.writeLock().lock();
        try {
            taken = pending;
            pending = new ConcurrentHashMap<>();
        } finally {
            swap.writeLock().unlock();
        }
        if (taken.isEmpty()) {
            return;
        }
        List<MetricsService.StatisticSet> sets = new ArrayList<>(taken.size());
        taken.forEach((key, sums) -> sets.add(new MetricsService.StatisticSet(key.namespace(), key.metricName(), key.dimensions(),
                Instant.ofEpochSecond(key.slot() * resolution), sums.count, sums.sum, sums.minimum, sums.maximum, key.unit())));
        try {
            metrics.putStatistics(sets, resolution);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "metrics not recorded: " + e.getMessage(), e);
        }
    }

    /** Stops flushing on a schedule and writes what is left. */
    @Override
    public void close() {
        flusher.shutdown();
        try {
            flusher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }
}
