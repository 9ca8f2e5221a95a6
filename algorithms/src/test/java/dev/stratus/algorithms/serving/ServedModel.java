package dev.stratus.algorithms.serving;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A handler behind a real {@link ModelServer} on a free loopback port, and an HTTP client to call it. */
public final class ServedModel implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ModelServer server;

    private ServedModel(ModelServer server) {
        this.server = server;
    }

    /** Loads the model in {@code modelDir} with {@code handler} and serves it with a 6 MB payload limit. */
    public static ServedModel start(InferenceHandler handler, Path modelDir) throws Exception {
        return start(handler, new ServingSettings(0, modelDir, 6 * 1024 * 1024, 2, 2, "MULTI_RECORD", InetAddress.getLoopbackAddress()));
    }

    public static ServedModel start(InferenceHandler handler, ServingSettings settings) throws Exception {
        return new ServedModel(ModelServer.start(handler, settings));
    }

    /** POST /invocations; a null {@code accept} sends none. */
    public HttpResponse<String> invoke(String body, String contentType, String accept) throws IOException, InterruptedException {
        return invoke(HttpRequest.BodyPublishers.ofString(body), contentType, accept);
    }

    /** POST /invocations with a body of no stated length, sent chunked. */
    public HttpResponse<String> invokeChunked(String body, String contentType) throws IOException, InterruptedException {
        return invoke(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))),
                contentType, null);
    }

    private HttpResponse<String> invoke(HttpRequest.BodyPublisher body, String contentType, String accept)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/invocations")).POST(body).header("Content-Type", contentType);
        if (accept != null) {
            request.header("Accept", accept);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Override
    public void close() {
        server.close();
    }
}
