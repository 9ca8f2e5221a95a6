package dev.stratus.cloud.training;

import dev.stratus.cloud.state.ProcessRecord;
import dev.stratus.cloud.state.StateFiles;

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
            echo $! > "$pidfile.tmp" && mv "$pidfile.tmp" "$pidfile"
            wait $!
            echo $? > "$exitfile.tmp" && mv "$exitfile.tmp" "$exitfile"
            """;

    /** Output read per poll at most; the rest waits for the next. */
    private static final int MAX_READ = 4 * 1024 * 1024;

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
        ProcessRecord.write(runtime.resolve("wrapper"), builder.start().toHandle());
    }

    /** The exit status, once the algorithm has ended. */
    Optional<Integer> exitCode() throws IOException {
        Path file = runtime.resolve("exit-code");
        return Files.exists(file) ? Optional.of(Integer.parseInt(Files.readString(file).strip())) : Optional.empty();
    }

    /** When the algorithm ended, as the wrapper recorded its exit status: only for an algorithm that has ended. */
    Instant endTime() throws IOException {
        return Files.getLastModifiedTime(runtime.resolve("exit-code")).toInstant();
    }

    /**
     * True when the algorithm can no longer end with its exit status recorded: the wrapper has ended without writing
     * it (killed with the server, or by Linux's OOM killer).
     */
    boolean gone() throws IOException {
        // The wrapper first: it writes the exit status before it ends.
        return ProcessRecord.find(runtime.resolve("wrapper")).isEmpty() && exitCode().isEmpty();
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

    /** Output read but not yet shipped: its lines, and the log offset after them. */
    record Output(List<String> lines, long endOffset) {
    }

    /**
     * Complete lines after the shipped offset; with {@code ended}, also a last line without a newline.
     * Nothing moves until {@link #shipped}: a server that dies before then ships these lines again.
     */
    Output unshipped(boolean ended) throws IOException {
        long offset = shippedOffset();
        if (!Files.exists(log()) || Files.size(log()) <= offset) {
            return new Output(List.of(), offset);
        }
        byte[] bytes;
        boolean toTheEnd;
        try (RandomAccessFile file = new RandomAccessFile(log().toFile(), "r")) {
            file.seek(offset);
            bytes = new byte[(int) Math.min(file.length() - offset, MAX_READ)];
            file.readFully(bytes);
            toTheEnd = offset + bytes.length == file.length();
        }
        int end = ended && toTheEnd ? bytes.length : lastNewline(bytes) + 1;
        if (end <= 0) {
            return new Output(List.of(), offset);
        }
        return new Output(new String(bytes, 0, end, StandardCharsets.UTF_8).lines().toList(), offset + end);
    }

    /** Records that the output up to {@code offset} is in CloudWatch Logs. */
    void shipped(long offset) throws IOException {
        StateFiles.write(runtime.resolve("log.offset"), Long.toString(offset));
    }

    private long shippedOffset() throws IOException {
        Path file = runtime.resolve("log.offset");
        return Files.exists(file) ? Long.parseLong(Files.readString(file).strip()) : 0;
    }

    /** The log stream's name, chosen once at launch: {@code <job>/algo-<n>-<epoch seconds>}. */
    String streamName(String job, String host) throws IOException {
        Path file = runtime.resolve("stream");
        if (!Files.exists(file)) {
            Files.createDirectories(runtime);
            StateFiles.write(file, job + "/" + host + "-" + Instant.now().getEpochSecond());
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
