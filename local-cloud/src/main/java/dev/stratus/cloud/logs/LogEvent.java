package dev.stratus.cloud.logs;

import java.util.Objects;

/** One log event as its producer wrote it: when (milliseconds since the epoch) and what. */
public record LogEvent(long timestamp, String message) {

    public LogEvent {
        Objects.requireNonNull(message, "message");
        // Stream tokens and event ids write timestamps as unsigned digits; AWS refuses such old events too.
        if (timestamp < 0) {
            throw new IllegalArgumentException("a log event's timestamp must not be before 1970: " + timestamp);
        }
    }
}
