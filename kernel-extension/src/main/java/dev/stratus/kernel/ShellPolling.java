package dev.stratus.kernel;

import java.lang.reflect.Field;
import java.util.logging.Logger;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellChannel;

/**
 * basekernel 2.3.0 polls its shell and control sockets without blocking and then sleeps 50 ms,
 * which adds 25 ms on average to every request. It has no setting for that pause, so the
 * kernel shortens it on the channels before they start.
 */
final class ShellPolling {

    /** Short enough to be unnoticeable, long enough that an idle kernel costs next to no CPU. */
    static final long PAUSE_MS = 2;

    private ShellPolling() {
    }

    static void shorten(JupyterConnection connection) {
        try {
            for (String channel : new String[] {"shell", "control"}) {
                Field field = JupyterConnection.class.getDeclaredField(channel);
                field.setAccessible(true);
                Field sleep = ShellChannel.class.getDeclaredField("sleep");
                sleep.setAccessible(true);
                sleep.setLong(field.get(connection), PAUSE_MS);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Only slower, never broken: keep basekernel's own pause.
            Logger.getLogger(ShellPolling.class.getName()).warning("cannot shorten the shell poll pause: " + e);
        }
    }
}
