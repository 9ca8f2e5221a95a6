package dev.stratus.kernel.maven;

/**
 * A {@code %maven} request that could not be satisfied. The message is always a single line that names the
 * problem and how to fix it, so the kernel can show it as is; the resolver's own exception, if any, is the cause.
 */
public final class MavenResolutionException extends Exception {

    MavenResolutionException(String message) {
        this(message, null);
    }

    MavenResolutionException(String message, Throwable cause) {
        super(message.replaceAll("\\s*\\R\\s*", " "), cause);
    }
}
