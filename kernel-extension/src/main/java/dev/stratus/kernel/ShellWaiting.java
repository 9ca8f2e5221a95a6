package dev.stratus.kernel;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
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
 * pause short enough not to be felt an idle kernel keeps waking up (2 ms cost 5% of a core). It has no setting for either, so the kernel makes each channel's loop wait until its socket
 * signals a request: the request is read the moment it arrives, and an idle kernel sleeps.
 */
final class ShellWaiting {

    /** How long a loop waits for a request before it looks again whether its channel was closed. */
    private static final long WAIT_MS = 200;

    /**
     * {@code -Dstratus.kernel.basekernelLoops=true} keeps basekernel's own loops, as stock IJava runs them: only for
     * measuring the kernel against them side by side ({@code bench/kernel-roundtrip.sh --against-basekernel-loops}).
     */
    static final String BASEKERNEL_LOOPS_PROPERTY = "stratus.kernel.basekernelLoops";

    private static final Logger LOG = Logger.getLogger(ShellWaiting.class.getName());

    private ShellWaiting() {
    }

    /** After {@code connection.connect()}; a failure only leaves basekernel's polling in place. */
    static void install(JupyterConnection connection) {
        if (Boolean.getBoolean(BASEKERNEL_LOOPS_PROPERTY)) {
            LOG.info("the shell loops keep basekernel's polling (" + BASEKERNEL_LOOPS_PROPERTY + ")");
            return;
        }
        try {
            for (String name : new String[] {"shell", "control"}) {
                ShellChannel channel = channel(connection, name);
                Loop loop = (Loop) PrivateFields.open(ShellChannel.class, "ioloop").get(channel);
                // Swapped on the loop's own thread, between two of its polls: no race with the body it replaces.
                loop.doNext(() -> waitForRequests(loop, channel));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warning("cannot make the shell loops wait for requests, they keep polling: " + e);
        }
    }

    private static void waitForRequests(Loop loop, ShellChannel channel) {
        try {
            Field body = PrivateFields.open(Loop.class, "loopBody");
            LongSupplier pollOnce = (LongSupplier) body.get(loop);
            Selector selector = Selector.open();
            channel.getFD().register(selector, SelectionKey.OP_READ);
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
            loop.onClose(() -> {
                try {
                    selector.close();
                } catch (IOException e) {
                    LOG.log(Level.FINE, "cannot close the shell loop's selector", e);
                }
            });
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
