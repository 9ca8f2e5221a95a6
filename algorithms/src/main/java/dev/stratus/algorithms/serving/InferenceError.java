package dev.stratus.algorithms.serving;

import java.util.List;

/**
 * A request the handler refuses, with the HTTP status the model server answers and a one-line message
 * that names the problem and the fix. InvokeEndpoint reports both to the caller as a ModelError.
 */
public final class InferenceError extends Exception {

    private final int status;

    public InferenceError(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** 415: the body's {@code Content-Type} is not one the handler reads. */
    public static InferenceError unsupportedContentType(String contentType, List<String> supported) {
        return new InferenceError(415, "Content-Type " + (contentType == null || contentType.isBlank() ? "(none)" : contentType)
                + " is not supported: send one of " + String.join(", ", supported));
    }

    /** 406: nothing in {@code Accept} is a type the handler writes. */
    public static InferenceError notAcceptable(String accept, List<String> offered) {
        return new InferenceError(406, "Accept " + accept + " cannot be answered: ask for one of " + String.join(", ", offered));
    }

    /** 400: record {@code number} (1-based, in request order) cannot be read. */
    public static InferenceError badRecord(int number, String detail) {
        return new InferenceError(400, "record " + number + ": " + detail);
    }

    public static InferenceError badRequest(String message) {
        return new InferenceError(400, message);
    }
}
