package dev.stratus.cloud.server;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** A verified request for one of the local services. Header names are lower-case. */
public record AwsRequest(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body,
                         CredentialScope scope) {

    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
