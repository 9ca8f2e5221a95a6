package dev.stratus.cloud.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * A process the server started, recorded in a file by pid and start time, so that a server started later finds it
 * again: a reused pid (another start time) is never taken for it, nor is a process that has ended but was not reaped
 * yet, as the processes of a server that died are not its successor's children.
 */
public final class ProcessRecord {

    private ProcessRecord() {
    }

    /** Records {@code process}; 0 stands for a start time the JDK could not tell, and then the pid alone is checked. */
    public static void write(Path file, ProcessHandle process) throws IOException {
        StateFiles.write(file, process.pid() + " " + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L));
    }

    /** The recorded process while it runs; empty when there is no record or the process has ended. */
    public static Optional<ProcessHandle> find(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String[] pidAndStart = Files.readString(file).strip().split(" ");
        long start = Long.parseLong(pidAndStart[1]);
        return ProcessHandle.of(Long.parseLong(pidAndStart[0]))
                .filter(ProcessHandle::isAlive)
                .filter(p -> start == 0 || p.info().startInstant().map(i -> i.toEpochMilli() == start).orElse(false))
                .filter(ProcessRecord::notZombie);
    }

    /** A zombie has ended, though the JDK calls it alive until its parent reaps it; Linux says which it is. */
    private static boolean notZombie(ProcessHandle process) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            return "ZX".indexOf(stat.charAt(stat.lastIndexOf(')') + 2)) < 0; // zombie, or dead on its way out
        } catch (IOException e) {
            return !Files.isDirectory(Path.of("/proc/self")); // gone meanwhile; without procfs, trust the JDK
        }
    }
}
