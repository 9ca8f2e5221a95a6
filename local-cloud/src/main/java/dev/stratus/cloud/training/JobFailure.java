package dev.stratus.cloud.training;

/** Ends a job as Failed; the message becomes its FailureReason. */
final class JobFailure extends RuntimeException {
    JobFailure(String reason) {
        super(reason);
    }
}
