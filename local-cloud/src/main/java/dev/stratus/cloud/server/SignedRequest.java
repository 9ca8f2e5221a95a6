package dev.stratus.cloud.server;

import java.util.List;
import java.util.Map;

/**
 * The parts of an incoming HTTP request that a signature covers. Headers: names lower-case, as received.
 *
 * @param rawPath  the path as sent, still percent-encoded
 * @param rawQuery the query as sent, still percent-encoded; null or empty when there is none
 * @param body     the body as received; null is read as empty
 */
public record SignedRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {

    public SignedRequest {
        body = body == null ? new byte[0] : body;
    }
}
