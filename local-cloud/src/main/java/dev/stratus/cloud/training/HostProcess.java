package dev.stratus.cloud.training;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The algorithm's OS process on one instance. A small {@code sh} wrapper starts it with its
 * output in a file and records its exit status, so that the job survives a restart of the
 * server: the wrapper's pid, start time and the log offset already shipped live in files of
 * the host's runtime folder, and a new server re-attaches to them.
 */
final class HostProcess {

    /** Runs the command with its output in $1, writes its pid to $2 and, when it ends, its exit status to $3. */
    private static final String WRAPPER = """
            log=$1; pidfile=$2; exitfile=$3; shift 3
            "$@" > "$log" 2>&1 < /dev/null &
            echo $! > "$pidfile"
            wait $!
            echo $? > "$exitfile.tmp" && mv "$exitfile.tmp" "$exitfile"
            """;

    private final Path runtime;

    HostProcess(Path runtime) {
        this.runtime = runtime;
    }

    Path log() {
        return runtime.resolve("output.log");
    }

    /** Starts {@code command} with exactly {@code environment}, in {@code workingDir}. */
    void start(List<String> command, Map<String, String> environment, Path workingDir) throws IOException {
        Files.createDirectories(runtime);
        List<String> argv = new ArrayList<>(List.of("sh", "-c", WRAPPER, "stratus-host", log().toString(),
                runtime.resolve("algorithm.pid").toString(), runtime.resolve("exit-code").toString()));
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv).directory(workingDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process wrapper = builder.start();
        Instant started = wrapper.info().startInstant().orElse(Instant.EPOCH);
        Files.writeString(runtime.resolve("wrapper"), wrapper.pid() + " " + started.toEpochMilli());
    }

    /** The exit status, once the algorithm has ended. */
    Optional<Integer> exitCode() throws IOException {
        Path file = runtime.resolve("exit-code");
        return Files.exists(file) ? Optional.of(Integer.parseInt(Files.readString(file).strip())) : Optional.empty();
    }

    /** True while the wrapper (the same process, not a reused pid) is alive to record the exit status. */
    boolean wrapperAlive() throws IOException {
        Path file = runtime.resolve("wrapper");
        if (!Files.exists(file)) {
            return false;
        }
        String[] pidAndStart = Files.readString(file).strip().split(" ");
        return ProcessHandle.of(Long.parseLong(pidAndStart[0]))
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().startInstant().map(i -> i.toEpochMilli() == Long.parseLong(pidAndStart[1])).orElse(false))
                .isPresent();
    }

    /** SIGTERM ({@code force} false) or SIGKILL to the algorithm itself. */
    void signal(boolean force) throws IOException {
        Path file = runtime.resolve("algorithm.pid");
        if (!Files.exists(file)) {
            return;
        }
        ProcessHandle.of(Long.parseLong(Files.readString(file).strip())).ifPresent(p -> {
            if (force) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
        });
    }

    /** Complete lines written since the last call; the offset persists so a re-attached server goes on from there. */
    List<String> newLines() throws IOException {
        Path offsetFile = runtime.resolve("log.offset");
        long offset = Files.exists(offsetFile) ? Long.parseLong(Files.readString(offsetFile).strip()) : 0;
        if (!Files.exists(log()) || Files.size(log()) <= offset) {
            return List.of();
        }
        byte[] bytes;
        try (RandomAccessFile file = new RandomAccessFile(log().toFile(), "r")) {
            file.seek(offset);
            bytes = new byte[(int) Math.min(file.length() - offset, 4 * 1024 * 1024)];
            file.readFully(bytes);
        }
        int end = lastNewline(bytes);
        if (end < 0) {
            return List.of();
        }
        Files.writeString(offsetFile, Long.toString(offset + end + 1));
        return new String(bytes, 0, end, StandardCharsets.UTF_8).lines().toList();
    }

    /** What is left after the last newline, once the process has ended: output without a final newline. */
    List<String> remainder() throws IOException {
        List<String> lines = new ArrayList<>(newLines());
        Path offsetFile = runtime.resolve("log.offset");
        long offset = Files.exists(offsetFile) ? Long.parseLong(Files.readString(offsetFile).strip()) : 0;
        if (Files.exists(log()) && Files.size(log()) > offset) {
            byte[] all = Files.readAllBytes(log());
            lines.add(new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8));
            Files.writeString(offsetFile, Long.toString(all.length));
        }
        return lines;
    }

    /** The log stream's name, chosen once at launch: {@code <job>/algo-<n>-<epoch seconds>}. */
    String streamName(String job, String host) throws IOException {
        Path file = runtime.resolve("stream");
        if (!Files.exists(file)) {
            Files.createDirectories(runtime);
            Files.writeString(file, job + "/" + host + "-" + Instant.now().getEpochSecond());
        }
        return Files.readString(file).strip();
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
