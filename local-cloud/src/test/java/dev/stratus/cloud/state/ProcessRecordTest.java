package dev.stratus.cloud.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRecordTest {

    @TempDir
    Path dir;

    @Test
    void findsTheRecordedProcessWhileItRuns() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            Path file = dir.resolve("process");
            ProcessRecord.write(file, sleeper.toHandle());
            assertEquals(Optional.of(sleeper.pid()), ProcessRecord.find(file).map(ProcessHandle::pid));
            sleeper.destroyForcibly().waitFor();
            assertTrue(ProcessRecord.find(file).isEmpty(), "an ended process is not found");
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aPidWithAnotherStartTimeIsNotTheRecordedProcess() throws Exception {
        Path file = dir.resolve("process");
        ProcessHandle self = ProcessHandle.current();
        long start = self.info().startInstant().orElseThrow().toEpochMilli();
        Files.writeString(file, self.pid() + " " + (start - 60_000));
        assertTrue(ProcessRecord.find(file).isEmpty(), "a reused pid is not taken for the recorded process");
        Files.writeString(file, self.pid() + " " + start);
        assertTrue(ProcessRecord.find(file).isPresent());
    }

    @Test
    void aProcessThatEndedButWasNotReapedIsNotFound() throws Exception {
        // The child ends at once; its parent becomes `sleep`, which never reaps it: a zombie, as the processes of a
        // server that died are until whatever adopted them reaps them.
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 30").start();
        try {
            long pid = Long.parseLong(new BufferedReader(new InputStreamReader(parent.getInputStream())).readLine().strip());
            ProcessHandle child = ProcessHandle.of(pid).orElseThrow();
            Path file = dir.resolve("process");
            ProcessRecord.write(file, child);
            Path stat = Path.of("/proc", Long.toString(pid), "stat");
            for (int i = 0; i < 100 && !Files.readString(stat).contains(") Z "); i++) {
                Thread.sleep(20);
            }
            assertTrue(Files.readString(stat).contains(") Z "), "the child is a zombie");
            assertTrue(child.isAlive(), "the JDK calls a zombie alive");
            assertTrue(ProcessRecord.find(file).isEmpty(), "a zombie is not found");
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void noRecordFindsNothing() throws Exception {
        assertTrue(ProcessRecord.find(dir.resolve("missing")).isEmpty());
    }
}
