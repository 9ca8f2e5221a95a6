package dev.stratus.cloud.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * A local service's own metrics, such as SageMaker's per-invocation endpoint metrics: values are counted per
 * metric and storage resolution (a minute, or a second) in memory, each distinct value with how often it was
 * seen, and written every {@code flushEvery} in one transaction, so that a thousand requests a second cost a write
 * a second rather than thousands. Keeping the values rather than their sums is what lets CloudWatch's percentiles
 * (an alarm on p99 ModelLatency, say) be computed, as SageMaker's own endpoint metrics allow.
 */
public final class MetricBuffer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MetricBuffer.class.getName());

    private record Key(String namespace, String metricName, Map<String, String> dimensions, String unit, long slot) {
    }

    /** How often each value was seen. */
    private static final class Counts {
        private final Map<Double, Double> counts = new HashMap<>();

        synchronized void add(double value) {
            counts.merge(value, 1.0, Double::sum);
        }

        synchronized Map<Double, Double> taken() {
            return Map.copyOf(counts);
        }
    }

    private final MetricsService metrics;
    private final int resolution;
    private final ScheduledExecutorService flusher;
    /** Adds share the read side; a flush takes the write side to swap the map, so no add lands in a map already written. */
    private final ReadWriteLock swap = new ReentrantReadWriteLock();
    private Map<Key, Counts> pending = new ConcurrentHashMap<>();

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
            pending.computeIfAbsent(key, k -> new Counts()).add(value);
        } finally {
            swap.readLock().unlock();
        }
    }

    /** Writes what was added since the last flush. */
    public void flush() {
        Map<Key, Counts> taken;
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
        List<MetricsService.ValueCounts> values = new ArrayList<>(taken.size());
        taken.forEach((key, counts) -> values.add(new MetricsService.ValueCounts(key.namespace(), key.metricName(),
                key.dimensions(), Instant.ofEpochSecond(key.slot() * resolution), counts.taken(), key.unit())));
        try {
            metrics.putValues(values, resolution);
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
