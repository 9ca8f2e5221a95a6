package dev.stratus.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.Loop;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

class ShellWaitingTest {

    private static final String KEY = "test-key";

    private KernelConnectionProperties properties;
    private JupyterConnection connection;
    /** basekernel's close terminates the ZeroMQ context, which waits forever when asked twice. */
    private boolean closed;

    /**
     * basekernel logs every bind, start and stop at INFO, under loggers named after each socket and loop: kept out of
     * the build's output, as the kernel does, at the root.
     */
    private static final Logger ROOT_LOG = Logger.getLogger("");
    private static Level rootLevel;

    @BeforeAll
    static void quietBasekernelLogs() {
        rootLevel = ROOT_LOG.getLevel();
        ROOT_LOG.setLevel(Level.WARNING);
    }

    @AfterAll
    static void restoreLogging() {
        ROOT_LOG.setLevel(rootLevel);
    }

    @BeforeEach
    void connect() throws Exception {
        properties = new KernelConnectionProperties("127.0.0.1", freePort(), freePort(), freePort(), freePort(), freePort(),
                "tcp", "hmac-sha256", KEY);
        connection = new JupyterConnection(properties);
        new EchoKernel().becomeHandlerForConnection(connection);
        connection.connect();
    }

    @AfterEach
    void close() throws InterruptedException {
        if (!closed) {
            closeConnection();
        }
        for (Thread loop : shellLoops()) {
            loop.join(5_000); // so that the next test sees its own loops only
        }
        for (Thread heartbeat : threadsNamed("Heartbeat-")) {
            heartbeat.join(5_000); // and nothing logs after the class has put the logging back
        }
    }

    @Test
    void idleShellLoopsWaitOnTheirSocketsInsteadOfSleeping() throws Exception {
        ShellWaiting.install(connection);
        List<Thread> loops = shellLoops();
        assertEquals(2, loops.size(), "the shell and control loops: " + loops);
        Thread.sleep(300); // the swap happens on each loop's thread, after its first pass
        List<String> stacks = sampledStacks(loops);
        for (String stack : stacks) {
            assertFalse(stack.contains("java.lang.Thread.sleep"), "a loop paused instead of waiting: " + stack);
        }
        assertTrue(stacks.stream().anyMatch(stack -> stack.contains("Selector")), "no loop was ever seen waiting on a selector");
    }

    @Test
    void aRequestIsAnsweredByTheWaitingLoop() throws Exception {
        ShellWaiting.install(connection);
        assertKernelInfoAnswered();
    }

    @Test
    void withBasekernelLoopsAskedForTheLoopsKeepPollingAndStillAnswer() throws Exception {
        System.setProperty(ShellWaiting.BASEKERNEL_LOOPS_PROPERTY, "true");
        try {
            ShellWaiting.install(connection);
        } finally {
            System.clearProperty(ShellWaiting.BASEKERNEL_LOOPS_PROPERTY);
        }
        Thread.sleep(300); // past the loops' first passes, where a swap would happen
        List<Thread> loops = shellLoops();
        assertEquals(2, loops.size(), "the shell and control loops: " + loops);
        List<String> stacks = sampledStacks(loops);
        for (String stack : stacks) {
            assertFalse(stack.contains("Selector"), "a loop waits on a selector: " + stack);
        }
        assertTrue(stacks.stream().anyMatch(stack -> stack.contains("java.lang.Thread.sleep")),
                "no loop was ever seen in basekernel's pause");
        assertKernelInfoAnswered();
    }

    private void assertKernelInfoAnswered() throws Exception {
        try (ZContext context = new ZContext()) {
            ZMQ.Socket shell = context.createSocket(SocketType.DEALER);
            shell.setReceiveTimeOut(10_000);
            shell.connect("tcp://127.0.0.1:" + properties.getShellPort());
            send(shell, "kernel_info_request");
            String replyHeader = receiveHeader(shell);
            assertNotNull(replyHeader, "no kernel_info_reply within 10 s");
            assertTrue(replyHeader.contains("\"msg_type\":\"kernel_info_reply\""), replyHeader);
        }
    }

    @Test
    void closingTheConnectionEndsTheLoops() throws Exception {
        ShellWaiting.install(connection);
        List<Thread> loops = shellLoops();
        closeConnection();
        for (Thread loop : loops) {
            loop.join(5_000);
            assertFalse(loop.isAlive(), loop.getName() + " still runs 5 s after the connection closed");
        }
    }

    @Test
    void stoppingEndsTheLoopsBeforeTheirSocketsClose() throws Exception {
        ShellWaiting waiting = ShellWaiting.install(connection);
        List<Thread> loops = shellLoops();
        Thread.sleep(300); // the loops wait on their selectors by now
        waiting.stopOtherLoops();
        for (Thread loop : loops) {
            assertFalse(loop.isAlive(), loop.getName() + " still runs after it was stopped");
        }
    }

    @Test
    void stoppingFromALoopsOwnThreadEndsOnlyTheOtherLoop() throws Exception {
        ShellWaiting waiting = ShellWaiting.install(connection);
        List<Thread> loops = shellLoops();
        Thread.sleep(300);
        Loop caller = (Loop) loops.get(0);
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        caller.doNext(() -> {
            waiting.stopOtherLoops(); // as at shutdown, on the control loop's thread: it cannot wait for itself
            stopped.complete(null);
        });
        stopped.get(10, TimeUnit.SECONDS);
        assertFalse(loops.get(1).isAlive(), loops.get(1).getName() + " still runs after it was stopped");
        assertTrue(caller.isAlive(), "the calling loop ended too");
    }

    /** A loop that touches its socket while another thread closes it can leave ZeroMQ's context waiting forever. */
    private void closeConnection() {
        closed = true;
        assertTimeoutPreemptively(Duration.ofSeconds(10), connection::close, "closing the connection hangs");
    }

    /** The loops' stacks, 20 times 10 ms apart. */
    private static List<String> sampledStacks(List<Thread> loops) throws InterruptedException {
        List<String> stacks = new ArrayList<>();
        for (int sample = 0; sample < 20; sample++) {
            for (Thread loop : loops) {
                stacks.add(Arrays.toString(loop.getStackTrace()));
            }
            Thread.sleep(10);
        }
        return stacks;
    }

    private static List<Thread> shellLoops() {
        return threadsNamed("Shell-");
    }

    private static List<Thread> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith(prefix) && thread.isAlive())
                .toList();
    }

    private static void send(ZMQ.Socket socket, String type) throws Exception {
        String header = "{\"msg_id\":\"" + UUID.randomUUID() + "\",\"session\":\"test\",\"username\":\"test\","
                + "\"date\":\"2026-01-01T00:00:00.000000Z\",\"msg_type\":\"" + type + "\",\"version\":\"5.3\"}";
        byte[][] parts = {header.getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8),
                "{}".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8)};
        String signature = new HMACGenerator("HmacSHA256", KEY).calculateSignature(parts);
        socket.sendMore("<IDS|MSG>");
        socket.sendMore(signature);
        for (int i = 0; i < parts.length; i++) {
            if (i < parts.length - 1) {
                socket.sendMore(parts[i]);
            } else {
                socket.send(parts[i]);
            }
        }
    }

    /** The header frame of the next message, or null when none came. */
    private static String receiveHeader(ZMQ.Socket socket) {
        String frame;
        do {
            frame = socket.recvStr();
        } while (frame != null && !frame.equals("<IDS|MSG>"));
        if (frame == null) {
            return null;
        }
        socket.recvStr(); // signature
        String header = socket.recvStr();
        while (socket.hasReceiveMore()) {
            socket.recv();
        }
        return header;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The smallest kernel basekernel can run: enough to answer kernel_info. */
    private static final class EchoKernel extends BaseKernel {
        @Override
        public DisplayData eval(String code) {
            return new DisplayData(code);
        }

        @Override
        public LanguageInfo getLanguageInfo() {
            return new LanguageInfo.Builder("text").build();
        }
    }
}
