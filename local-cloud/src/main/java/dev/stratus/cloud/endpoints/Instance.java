package dev.stratus.cloud.endpoints;

import dev.stratus.cloud.state.ProcessRecord;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

import dev.stratus.cloud.logs.LogEvent;
import dev.stratus.cloud.logs.LogsService;
import dev.stratus.cloud.training.ContainerEnvironment;

/**
 * One instance of a production variant or of a transform job: an OS process started as {@code <image command> serve}
 * in its own folder (laid out like an inference container's {@code /opt/ml}, given as {@code SAGEMAKER_BASE_DIR}),
 * answering HTTP on a loopback port of its own ({@code SAGEMAKER_BIND_TO_PORT}). Each process is a new SageMaker
 * instance: it gets a new instance id, port and log stream ({@code <variant or job>/<instance id>}); a process that
 * dies while serving is reported to {@code onDeath} (an endpoint starts the next one in the same folder).
 */
public final class Instance {

    /** SageMaker's ping timeout (sagemaker-facts.md §2). */
    public static final Duration PING_TIMEOUT = Duration.ofSeconds(2);

    enum State { STARTING, HEALTHY, DOWN, STOPPED }

    /** A running process, as recorded in the runtime folder so that a later server can end it if this one dies. */
    private record Running(Process process, int port, String id, Path log) {
    }

    /** The production variant, or the transform job, whose name starts the instance's log streams. */
    final String variant;
    final String slot;
    /** What the instance serves, in failure messages: "production variant X", "transform job Y". */
    private final String subject;
    private final String image;
    private final Path base;
    private final Path runtime;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Consumer<Instance> onDeath;
    final AtomicInteger inFlight = new AtomicInteger();
    private volatile Running running;
    private volatile State state = State.STARTING;
    private volatile URI invocations;
    private long shipped;

    /**
     * @param slot        the folder name, unique among the endpoint's (or job's) live instances
     * @param image       the image URI, to name the process in failures (its command line is too long to read)
     * @param environment the process's whole environment but for the two variables this class sets
     */
    public Instance(String variant, String subject, String slot, Path endpointFolder, String image, List<String> command,
                    Map<String, String> environment, Consumer<Instance> onDeath) {
        this.variant = variant;
        this.subject = subject;
        this.slot = slot;
        this.image = image;
        this.base = endpointFolder.resolve(slot);
        this.runtime = endpointFolder.resolve("runtime").resolve(slot);
        this.command = command;
        this.environment = environment;
        this.onDeath = onDeath;
    }

    /** The folder given as SAGEMAKER_BASE_DIR. */
    public Path base() {
        return base;
    }

    public Path model() {
        return base.resolve("model");
    }

    boolean healthy() {
        return state == State.HEALTHY;
    }

    boolean stopped() {
        return state == State.STOPPED;
    }

    public URI invocations() {
        return invocations;
    }

    /** {@code path} on the instance's model server, such as /execution-parameters. */
    public URI resolve(String path) {
        return invocations.resolve(path);
    }

    /** The current process's SageMaker instance id ({@code i-0...}), which names its log stream. */
    public String id() {
        Running current = running;
        return current == null ? null : current.id();
    }

    /** Starts a new process: a new instance id, a free loopback port, its own log file. */
    public synchronized void launch() throws IOException {
        if (state == State.STOPPED) {
            throw new EndpointFailure("instance " + slot + " was stopped before it started");
        }
        Files.createDirectories(runtime);
        int port = ContainerEnvironment.freeLoopbackPort();
        String id = "i-0" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()); // EC2's form: 17 hex digits
        Path log = runtime.resolve(id + ".log");
        List<String> argv = new ArrayList<>(command);
        argv.add("serve");
        ProcessBuilder builder = new ProcessBuilder(argv).directory(base.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().clear();
        builder.environment().putAll(environment);
        builder.environment().put("SAGEMAKER_BIND_TO_PORT", Integer.toString(port));
        builder.environment().put("SAGEMAKER_BASE_DIR", base.toString());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new EndpointFailure("The primary container for " + subject + " could not be started ("
                    + e.getMessage() + "): check the command of image " + image);
        }
        ProcessRecord.write(runtime.resolve("process"), process.toHandle());
        running = new Running(process, port, id, log);
        shipped = 0;
        invocations = URI.create("http://127.0.0.1:" + port + "/invocations");
        state = State.STARTING;
        process.onExit().thenRun(() -> exited(process));
    }

    /**
     * Waits until GET /ping answers 200, as SageMaker does before it sends traffic; fails with the reason when the
     * process ends first or the {@code deadline} (the health timeout after the launch) passes.
     */
    public void awaitHealthy(ContainerClient containers, Instant deadline, Duration timeout, String group) throws InterruptedException {
        Running current = running;
        URI ping = URI.create("http://127.0.0.1:" + current.port() + "/ping");
        while (true) {
            if (state == State.STOPPED) {
                throw new EndpointFailure("instance " + slot + " was stopped before it became healthy");
            }
            if (!current.process().isAlive()) {
                throw new EndpointFailure("The primary container for " + subject + " did not pass the"
                        + " ping health check: its process (" + image + " serve) exited with code "
                        + current.process().exitValue() + lastLine(current.log()) + ": see CloudWatch Logs group " + group);
            }
            if (containers.ping(ping, PING_TIMEOUT)) {
                synchronized (this) {
                    if (state != State.STARTING) {
                        throw new EndpointFailure("instance " + slot + " was stopped before it became healthy");
                    }
                    state = State.HEALTHY;
                }
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new EndpointFailure("The primary container for " + subject + " did not pass the"
                        + " ping health check within " + timeout.toSeconds() + " seconds (GET /ping must answer 200): see"
                        + " CloudWatch Logs group " + group);
            }
            // A model server is up in about half a second: a ping refused on loopback costs next to nothing, and a
            // shorter pause lets traffic (or a transform job) start sooner.
            Thread.sleep(20);
        }
    }

    /** Marks the instance as taking no more requests, before {@link #stop}: traffic has moved away from it. */
    synchronized void retire() {
        state = State.STOPPED;
    }

    /** Ends a process that failed to become healthy, so that the next {@link #launch} does not leave it running. */
    synchronized void kill() {
        if (running != null) {
            running.process().destroyForcibly();
        }
    }

    /** SIGTERM, then SIGKILL after {@code grace} (SageMaker's scale-down); its last output is shipped. */
    public void stop(Duration grace, LogsService logs, String group) {
        Running current;
        // Under the lock: a launch() in progress either finishes first (and its process is stopped here) or sees STOPPED.
        synchronized (this) {
            state = State.STOPPED;
            current = running;
        }
        if (current != null) {
            current.process().destroy();
            try {
                if (!current.process().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    current.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                current.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        ship(logs, group);
    }

    private void exited(Process process) {
        Running current = running;
        if (current == null || current.process() != process) {
            return;
        }
        // A process that dies while starting is the starter's to report; one that dies while serving is replaced.
        if (state == State.HEALTHY) {
            state = State.DOWN;
            onDeath.accept(this);
        }
    }

    public String describeExit() {
        Running current = running;
        if (current == null || current.process().isAlive()) {
            return "is not answering";
        }
        return "exited with code " + current.process().exitValue() + lastLine(current.log());
    }

    /** Ships output written since the last call to the log stream {@code <variant>/<instance id>}: whole lines, or all of it once the process ended. */
    public synchronized void ship(LogsService logs, String group) {
        Running current = running;
        if (current == null || !Files.exists(current.log())) {
            return;
        }
        try (RandomAccessFile file = new RandomAccessFile(current.log().toFile(), "r")) {
            if (file.length() <= shipped) {
                return;
            }
            file.seek(shipped);
            byte[] bytes = new byte[(int) Math.min(file.length() - shipped, 4 * 1024 * 1024)];
            file.readFully(bytes);
            int end = bytes.length;
            if (current.process().isAlive()) {
                while (end > 0 && bytes[end - 1] != '\n') {
                    end--;
                }
            }
            if (end == 0) {
                return;
            }
            long now = System.currentTimeMillis();
            List<LogEvent> events = new String(bytes, 0, end, StandardCharsets.UTF_8).lines()
                    .map(line -> new LogEvent(now, line)).toList();
            logs.append(group, variant + "/" + current.id(), events);
            shipped += end;
        } catch (IOException | RuntimeException e) {
            // The next call tries again; output is never lost by a failed ship, at worst shipped later.
            java.util.logging.Logger.getLogger(Instance.class.getName()).fine("shipping " + slot + " output: " + e);
        }
    }

    /** The pid of the current process, for the record. */
    public long pid() {
        Running current = running;
        return current == null ? -1 : current.process().pid();
    }

    /** ", last output: '...'" from the end of a log, to make an opaque failure readable; "" when there is none. */
    private static String lastLine(Path log) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long from = Math.max(0, file.length() - 2048);
            byte[] tail = new byte[(int) (file.length() - from)];
            file.seek(from);
            file.readFully(tail);
            List<String> lines = new String(tail, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
            if (lines.isEmpty()) {
                return "";
            }
            String last = lines.get(lines.size() - 1).strip();
            return ", last output: '" + (last.length() > 300 ? last.substring(0, 300) + "..." : last) + "'";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Ends the instance processes a server that died left running under {@code endpoints} (each recorded with its
     * start time, so that a reused pid is never hit), before their endpoints start again; transform jobs keep their
     * instances in the same layout.
     */
    public static void endLeftovers(Path endpoints) throws IOException {
        if (!Files.isDirectory(endpoints)) {
            return;
        }
        List<Path> records;
        try (Stream<Path> files = Files.walk(endpoints, 4)) {
            records = files.filter(f -> f.getFileName().toString().equals("process")
                    && f.getParent().getParent().getFileName().toString().equals("runtime")).toList();
        }
        for (Path record : records) {
            ProcessRecord.find(record).ifPresent(ProcessHandle::destroyForcibly);
        }
        // Briefly waited for, though a port is never reused (every process gets a fresh one). Not onExit(): a zombie,
        // ended but not reaped by whatever adopted it, would hold that up.
        Instant deadline = Instant.now().plusSeconds(5);
        try {
            for (Path record : records) {
                while (ProcessRecord.find(record).isPresent() && Instant.now().isBefore(deadline)) {
                    Thread.sleep(20);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
