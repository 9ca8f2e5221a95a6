package dev.stratus.cloud.server;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** What a service answers: status, content type, body and extra headers. */
public record AwsResponse(int status, String contentType, byte[] body, Map<String, String> headers) {

    public static AwsResponse of(int status, String contentType, String body) {
        return new AwsResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }
}
