package dev.stratus.kernel;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.Loop;
import io.github.spencerpark.jupyter.channels.ShellChannel;
import org.zeromq.ZMQ;

/**
 * basekernel 2.3.0 polls its shell and control sockets without blocking and sleeps 50 ms after every poll, a request
 * handled or not: a request waits 25 ms on average, and one sent right after the last reply most of 50 ms; with a
 * pause short enough not to be felt an idle kernel keeps waking up (2 ms cost 5% of a core). It has no setting for
 * either, so the kernel makes each channel's loop wait until its socket signals a request: the request is read the
 * moment it arrives, and an idle kernel sleeps.
 *
 * <p>basekernel also closes every socket at shutdown from the control channel's thread while the shell channel's
 * loop may still be using its socket, and ZeroMQ sockets are not thread-safe (JeroMQ's reaper thread then failed in
 * {@code FQ.terminated} now and then): {@link #stopOtherLoops()} ends the loops before that.
 */
final class ShellWaiting {

    /** How long a loop waits for a request before it looks again whether its channel was closed. */
    private static final long WAIT_MS = 200;

    /**
     * {@code -Dstratus.kernel.basekernelLoops=true} keeps basekernel's own loops, as stock IJava runs them: only for
     * measuring the kernel against them side by side ({@code bench/kernel-roundtrip.sh --against-basekernel-loops}).
     */
    static final String BASEKERNEL_LOOPS_PROPERTY = "stratus.kernel.basekernelLoops";

    /**
     * How long stopping waits for a loop, which may be running a cell, before it lets basekernel go on closing: well
     * inside the 2.5 s jupyter_client gives a kernel to exit on its shutdown_request before it signals it.
     */
    private static final long STOP_WAIT_MS = 1_000;

    private static final Logger LOG = Logger.getLogger(ShellWaiting.class.getName());

    private final List<Loop> loops = new ArrayList<>();
    /** Each waiting loop's selector, to wake it when it is stopped. */
    private final Map<Loop, Selector> selectors = new ConcurrentHashMap<>();

    private ShellWaiting() {
    }

    /** After {@code connection.connect()}; a failure only leaves basekernel's polling in place. */
    static ShellWaiting install(JupyterConnection connection) {
        ShellWaiting waiting = new ShellWaiting();
        if (Boolean.getBoolean(BASEKERNEL_LOOPS_PROPERTY)) {
            LOG.info("the shell loops keep basekernel's polling (" + BASEKERNEL_LOOPS_PROPERTY + ")");
            return waiting;
        }
        try {
            for (String name : new String[] {"shell", "control"}) {
                ShellChannel channel = channel(connection, name);
                Loop loop = (Loop) PrivateFields.open(ShellChannel.class, "ioloop").get(channel);
                waiting.loops.add(loop);
                // Swapped on the loop's own thread, between two of its polls: no race with the body it replaces.
                loop.doNext(() -> waiting.waitForRequests(loop, channel));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warning("cannot make the shell loops wait for requests, they keep polling: " + e);
        }
        return waiting;
    }

    /**
     * Ends the loops other than the calling thread's and waits for them, so that no other thread uses their sockets
     * when the calling thread (the control channel's, at shutdown) closes them.
     */
    void stopOtherLoops() {
        for (Loop loop : loops) {
            if (loop == Thread.currentThread()) {
                continue;
            }
            loop.shutdown();
            // Atomic with the loop closing its selector: waking a closed selector fails.
            selectors.computeIfPresent(loop, (stopped, selector) -> selector.wakeup());
            try {
                loop.join(STOP_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (loop.isAlive()) {
                LOG.warning("the loop " + loop.getName() + " is still busy " + STOP_WAIT_MS
                        + " ms after it was asked to stop");
            }
        }
    }

    private void waitForRequests(Loop loop, ShellChannel channel) {
        try {
            Field body = PrivateFields.open(Loop.class, "loopBody");
            LongSupplier pollOnce = (LongSupplier) body.get(loop);
            SelectableChannel signal = channel.getFD();
            if (signal == null) {
                return; // the channel was closed before its loop came here: the loop is ending
            }
            Selector selector = Selector.open();
            try {
                signal.register(selector, SelectionKey.OP_READ);
            } catch (IOException | RuntimeException e) {
                selector.close();
                throw e;
            }
            selectors.put(loop, selector);
            body.set(loop, (LongSupplier) () -> {
                try {
                    if ((channel.getEvents() & ZMQ.Poller.POLLIN) != 0) {
                        pollOnce.getAsLong(); // reads and handles one request
                    } else {
                        // Waits on the socket's signal only, not on the socket: ZeroMQ sockets are not thread-safe,
                        // and at shutdown another thread closes this one (a close racing a poll hangs the context).
                        selector.select(WAIT_MS);
                        selector.selectedKeys().clear();
                    }
                    return 0; // no pause: the loop checks whether it should stop, then comes back here
                } catch (IOException | RuntimeException e) {
                    // The channel was closed under the wait (the kernel shuts down): a negative pause ends the loop.
                    LOG.log(Level.FINE, "shell loop ends", e);
                    return -1;
                }
            });
            loop.onClose(() -> selectors.computeIfPresent(loop, (ended, open) -> {
                try {
                    open.close();
                } catch (IOException e) {
                    LOG.log(Level.FINE, "cannot close the shell loop's selector", e);
                }
                return null;
            }));
        } catch (ReflectiveOperationException | IOException | RuntimeException e) {
            LOG.warning("cannot make the shell loop " + loop.getName() + " wait for requests, it keeps polling: " + e);
        }
    }

    /**
     * Whether a request waits on the connection's shell channel, to be asked on that channel's thread (its handlers');
     * never, if basekernel's channel cannot be had.
     */
    static BooleanSupplier requestWaiting(JupyterConnection connection) {
        try {
            ShellChannel shell = channel(connection, "shell");
            return () -> (shell.getEvents() & ZMQ.Poller.POLLIN) != 0;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warning("cannot see the requests waiting on the shell channel, so a failed cell aborts none: " + e);
            return () -> false;
        }
    }

    /** basekernel's "shell" or "control" channel of {@code connection}, which it keeps to itself. */
    private static ShellChannel channel(JupyterConnection connection, String name) throws ReflectiveOperationException {
        return (ShellChannel) PrivateFields.open(JupyterConnection.class, name).get(connection);
    }
}
