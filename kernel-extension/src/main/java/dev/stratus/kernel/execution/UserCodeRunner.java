package dev.stratus.kernel.execution;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs user code (snippets and magics) on a thread of its own so that an interrupt can stop it
 * without touching the kernel's message loop or JShell's compiler. Code that is already on that
 * thread (a magic that evaluates Java, say) runs in place.
 */
public final class UserCodeRunner {

    private final ClassLoader contextLoader;
    private final List<Runnable> interruptHooks = new CopyOnWriteArrayList<>();
    private final AtomicReference<Thread> running = new AtomicReference<>();
    private volatile boolean interrupted;

    UserCodeRunner(ClassLoader contextLoader) {
        this.contextLoader = contextLoader;
    }

    /** Called when a cell starts: an interrupt of the previous cell does not leak into this one. */
    public void startCell() {
        interrupted = false;
    }

    /** True when the current cell was interrupted; the kernel then reports it, since JShell does not. */
    public boolean wasInterrupted() {
        return interrupted;
    }

    /** Registers work to cancel on interrupt, for example running Spark jobs. */
    public void onInterrupt(Runnable hook) {
        interruptHooks.add(hook);
    }

    public <T> T run(Callable<T> code) throws Exception {
        if (interrupted) {
            throw interruptedException();
        }
        if (Thread.currentThread() == running.get()) {
            return code.call();
        }
        Outcome<T> outcome = new Outcome<>();
        Thread thread = new Thread(() -> outcome.complete(code), "stratus-user-code");
        thread.setContextClassLoader(contextLoader);
        thread.setDaemon(true);
        running.set(thread);
        try {
            thread.start();
            thread.join();
        } finally {
            running.set(null);
        }
        if (interrupted) {
            throw interruptedException();
        }
        return outcome.get();
    }

    /** Cancels registered work, then stops the user code's thread. */
    @SuppressWarnings({"deprecation", "removal"})
    public void interrupt() {
        interrupted = true;
        for (Runnable hook : interruptHooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                // One failing hook must not keep the others, or the stop, from running.
            }
        }
        Thread thread = running.get();
        if (thread != null) {
            thread.interrupt();
            // Java 17 still has Thread.stop, the only way to end code that ignores interrupts.
            thread.stop();
        }
    }

    static InterruptedException interruptedException() {
        return new InterruptedException("the cell was interrupted; variables and classes declared before stay defined");
    }

    private static final class Outcome<T> {
        private T value;
        private Exception exception;
        private Error error;

        void complete(Callable<T> code) {
            try {
                value = code.call();
            } catch (Exception e) {
                exception = e;
            } catch (ThreadDeath stopped) {
                // The interrupt flag reports it.
            } catch (Error e) {
                error = e;
            }
        }

        T get() throws Exception {
            if (exception != null) {
                throw exception;
            }
            if (error != null) {
                throw error;
            }
            return value;
        }
    }
}
