package dev.stratus.algorithms.serving;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One {@code POST /invocations}, as InvokeEndpoint passes it on: the body, its {@code Content-Type},
 * the {@code Accept} wanted, and SageMaker's {@code X-Amzn-SageMaker-Custom-Attributes}.
 */
public record InferenceRequest(byte[] body, String contentType, String accept, Optional<String> customAttributes) {

    public InferenceRequest {
        customAttributes = customAttributes == null ? Optional.empty() : customAttributes;
    }

    public static InferenceRequest of(String body, String contentType, String accept) {
        return new InferenceRequest(body.getBytes(StandardCharsets.UTF_8), contentType, accept, Optional.empty());
    }

    /** The body as UTF-8 text. */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
