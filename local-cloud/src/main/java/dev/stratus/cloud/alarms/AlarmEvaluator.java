package dev.stratus.cloud.alarms;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.stratus.cloud.metrics.MetricsService;
import dev.stratus.cloud.metrics.MetricsService.Datapoint;

/**
 * Evaluates every alarm as CloudWatch does: at each period boundary (each 10 seconds for high-resolution alarms, with
 * periods under a minute; each minute for the others) on the most recent complete periods. It looks every
 * {@code interval}, so a shorter interval shortens only the wait after a boundary; state lives in the database, so a
 * restarted server goes on where it stopped.
 */
final class AlarmEvaluator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AlarmEvaluator.class.getName());

    /** How long after a period ends its data is complete: services write their buffered metrics a second late. */
    static final Duration SETTLE = Duration.ofSeconds(2);
    /** CloudWatch keeps alarm history for 30 days. */
    private static final Duration HISTORY = Duration.ofDays(30);

    /** The last evaluation of an alarm's configuration, so that each period boundary is evaluated once. */
    private record Evaluated(long configurationUpdated, long end) {
    }

    private final Alarms alarms;
    private final MetricsService metrics;
    private final Duration interval;
    private final Map<String, Evaluated> evaluated = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;

    AlarmEvaluator(Alarms alarms, MetricsService metrics, Duration interval) {
        this.alarms = alarms;
        this.metrics = metrics;
        this.interval = interval;
    }

    void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "alarm-evaluator");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                evaluate(Instant.now());
            } catch (RuntimeException e) { // a task that throws is never run again
                LOG.log(Level.WARNING, "alarm evaluation failed: " + e.getMessage(), e);
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Evaluates each alarm whose next period boundary has passed by {@code now}. */
    void evaluate(Instant now) {
        List<MetricAlarm> all = alarms.all();
        Set<String> names = new HashSet<>();
        for (MetricAlarm alarm : all) {
            names.add(alarm.name());
            long granularity = alarm.period() < 60 ? 10_000 : 60_000;
            long settled = now.minus(SETTLE).toEpochMilli();
            long end = settled - Math.floorMod(settled, granularity);
            Evaluated last = evaluated.get(alarm.name());
            if (last != null && last.configurationUpdated() == alarm.configurationUpdated() && last.end() >= end) {
                continue;
            }
            long start = end - Evaluation.rangePeriods(alarm.evaluationPeriods()) * alarm.period() * 1000L;
            List<Datapoint> data = metrics.datapoints(alarm.namespace(), alarm.metricName(), alarm.dimensions(), alarm.stat(),
                    alarm.unit(), Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), alarm.period());
            Evaluation.Outcome outcome = Evaluation.evaluate(alarm, data, end, now.toEpochMilli());
            if (outcome.state() != null && !outcome.state().equals(alarm.state().value())) {
                alarms.transition(alarm, outcome.state(), outcome.reason(), outcome.reasonData().toString(), now.toEpochMilli());
            }
            evaluated.put(alarm.name(), new Evaluated(alarm.configurationUpdated(), end));
        }
        evaluated.keySet().retainAll(names);
        alarms.forgetHistory(now.minus(HISTORY).toEpochMilli());
    }

    @Override
    public void close() {
        if (scheduler == null) {
            return;
        }
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
