package dev.stratus.kernel.extension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/** Finds extensions with {@link ServiceLoader} and installs each one once into a host. */
public final class ExtensionLoader {

    private final Set<String> installed = new HashSet<>();
    /** The extension whose {@code install} runs now: a host's methods called from it are that extension's. */
    private String installing;

    /**
     * Installs the extensions visible through {@code loader} that are not installed yet; returns
     * their class names. A broken extension is reported on stderr and does not stop the others.
     */
    public synchronized List<String> installNew(ClassLoader loader, KernelHost host) {
        List<String> names = new ArrayList<>();
        Iterator<Extension> found = ServiceLoader.load(Extension.class, loader).iterator();
        while (true) {
            Extension extension;
            try {
                if (!found.hasNext()) {
                    break;
                }
                extension = found.next();
            } catch (ServiceConfigurationError e) {
                System.err.println("Stratus: an extension could not be loaded: " + e.getMessage());
                continue;
            }
            String name = extension.getClass().getName();
            if (installed.add(name)) {
                installing = name;
                try {
                    extension.install(host);
                    names.add(name);
                } catch (Exception | LinkageError e) {
                    System.err.println("Stratus: extension " + name + " failed to install: " + e);
                } finally {
                    installing = null;
                }
            }
        }
        return names;
    }

    /** The class name of the extension being installed, when called from its {@code install} (through the host). */
    public synchronized Optional<String> installing() {
        return Optional.ofNullable(installing);
    }
}
