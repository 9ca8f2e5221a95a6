package dev.stratus.cloud.server;

/** An error answered in the service's own error shape, with AWS's error code. */
public final class AwsException extends RuntimeException {

    private final int status;
    private final String code;

    public AwsException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public static AwsException validation(String message) {
        return new AwsException(400, "ValidationException", message);
    }

    public static AwsException resourceNotFound(String message) {
        return new AwsException(400, "ResourceNotFound", message);
    }

    public static AwsException resourceInUse(String message) {
        return new AwsException(400, "ResourceInUse", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
