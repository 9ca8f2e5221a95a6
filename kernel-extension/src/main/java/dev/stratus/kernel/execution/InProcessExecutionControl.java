package dev.stratus.kernel.execution;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * Runs snippets in the kernel's own JVM and keeps their real values. JShell's own engines only
 * hand back {@code toString()}, which would make rich display impossible; here each value is
 * parked under a key that JShell carries back as the snippet's "value".
 */
final class InProcessExecutionControl extends DirectExecutionControl {

    private final UserCodeRunner runner;
    private final Map<String, Object> values = new ConcurrentHashMap<>();
    private volatile Throwable lastUserException;

    InProcessExecutionControl(SnippetLoader loader, UserCodeRunner runner) {
        super(loader);
        this.runner = runner;
    }

    /** JShell asks a provider for its engine; this one hands over this very instance. */
    ExecutionControlProvider asProvider() {
        InProcessExecutionControl control = this;
        return new ExecutionControlProvider() {
            @Override
            public String name() {
                return "stratus-in-process";
            }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                return control;
            }
        };
    }

    /** Takes the real value of a snippet whose JShell value string is {@code key}. */
    Object takeValue(String key) {
        return key == null ? null : values.remove(key);
    }

    /** The exception object the last failing snippet threw, so the cell can report it as itself. */
    Throwable takeLastUserException() {
        Throwable t = lastUserException;
        lastUserException = null;
        return t;
    }

    void forgetValues() {
        values.clear();
    }

    @Override
    protected String invoke(Method doItMethod) throws Exception {
        Object value = runner.run(() -> {
            try {
                return doItMethod.invoke(null);
            } catch (InvocationTargetException e) {
                lastUserException = e.getCause();
                throw e;
            }
        });
        String key = UUID.randomUUID().toString();
        if (value != null) {
            values.put(key, value);
        }
        return key;
    }

    @Override
    public void stop() {
        runner.interrupt();
    }
}
