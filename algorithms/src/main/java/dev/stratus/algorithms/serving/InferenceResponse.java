package dev.stratus.algorithms.serving;

import java.nio.charset.StandardCharsets;

/** The answer to one request: the body and its {@code Content-Type}, which InvokeEndpoint hands back as they are. */
public record InferenceResponse(byte[] body, String contentType) {

    public static InferenceResponse of(String body, String contentType) {
        return new InferenceResponse(body.getBytes(StandardCharsets.UTF_8), contentType);
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
