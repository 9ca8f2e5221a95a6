package dev.stratus.algorithms.serving;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * SageMaker's inference container contract over HTTP, on 127.0.0.1 unless {@link ServingSettings#address} says
 * otherwise: {@code GET /ping}, {@code POST /invocations} and {@code GET /execution-parameters}. Every refusal (413,
 * 415, 406, 400) and every model failure (500) is answered with a one-line message, and the server goes on serving.
 */
public final class ModelServer implements AutoCloseable {

    static {
        // The JDK's server otherwise waits for Nagle's algorithm on every small response: ~40 ms each.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final String TEXT = "text/plain; charset=utf-8";
    /** How much of a body above the limit is read before the connection is given up on. */
    private static final long DRAINED = 64L * 1024 * 1024;

    private final InferenceHandler handler;
    private final ServingSettings settings;
    private final HttpServer server;
    private final ExecutorService workers;

    private ModelServer(InferenceHandler handler, ServingSettings settings) throws IOException {
        this.handler = handler;
        this.settings = settings;
        this.server = HttpServer.create(new InetSocketAddress(settings.address(), settings.port()), 128);
        this.workers = Executors.newFixedThreadPool(settings.workers(), runnable -> {
            Thread thread = new Thread(runnable, "model-server-worker");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(workers);
        server.createContext("/", this::handle);
    }

    /** Loads the model with {@code handler}, then listens; the caller holds the server until it closes it. */
    public static ModelServer start(InferenceHandler handler, ServingSettings settings) throws Exception {
        handler.load(settings.modelDir());
        ModelServer server = new ModelServer(handler, settings);
        server.server.start();
        return server;
    }

    /** The port listened on: the settings' one, or the one chosen when that was 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            switch (path) {
                case "/ping" -> answer(exchange, 200, "", TEXT);
                case "/execution-parameters" -> answer(exchange, 200, executionParameters(), "application/json");
                case "/invocations" -> {
                    if (method.equals("POST")) {
                        invoke(exchange);
                    } else {
                        answer(exchange, 405, method + " /invocations: send the request with POST", TEXT);
                    }
                }
                default -> answer(exchange, 404, path + " is not served: use POST /invocations, GET /ping", TEXT);
            }
        }
    }

    private void invoke(HttpExchange exchange) throws IOException {
        byte[] body = readBody(exchange);
        if (body == null) {
            answer(exchange, 413, "The request is larger than the payload limit of " + settings.maxPayloadBytes() / (1024 * 1024)
                    + " MB: split it into smaller requests", TEXT);
            return;
        }
        var headers = exchange.getRequestHeaders();
        InferenceRequest request = new InferenceRequest(body, headers.getFirst("Content-Type"), headers.getFirst("Accept"),
                Optional.ofNullable(headers.getFirst("X-Amzn-SageMaker-Custom-Attributes")));
        InferenceResponse response;
        try {
            response = handler.invoke(request);
        } catch (InferenceError e) {
            answer(exchange, e.status(), e.getMessage(), TEXT);
            return;
        } catch (Exception | Error e) {
            // The stack trace goes to the endpoint's log; the caller gets the one-line reason.
            System.out.println("Model failure on a request of " + body.length + " bytes:");
            e.printStackTrace(System.out);
            answer(exchange, 500, "The model failed: " + e, TEXT);
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        exchange.sendResponseHeaders(200, response.body().length == 0 ? -1 : response.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(response.body());
        }
    }

    /**
     * The body, or null when it is larger than the payload limit. A body of a known length is read straight into an array
     * of that size (a batch transform sends 6 MB a request); a refused body is still read and dropped, up to
     * {@link #DRAINED}, so that a client still sending it gets the 413 rather than a reset connection.
     */
    private byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            long length = contentLength(exchange);
            if (length > settings.maxPayloadBytes()) {
                drain(in);
                return null;
            }
            if (length >= 0) {
                // A connection closed before Content-Length bytes came is an IOException of the JDK's server: the
                // exchange is dropped, as there is nobody left to answer.
                byte[] body = new byte[(int) length];
                in.readNBytes(body, 0, body.length);
                return body;
            }
            byte[] body = in.readNBytes(settings.maxPayloadBytes() + 1);
            if (body.length <= settings.maxPayloadBytes()) {
                return body;
            }
            drain(in);
            return null;
        }
    }

    private static void drain(InputStream in) throws IOException {
        long left = DRAINED;
        byte[] dropped = new byte[64 * 1024];
        for (int read; left > 0 && (read = in.read(dropped, 0, (int) Math.min(dropped.length, left))) > 0; ) {
            left -= read;
        }
    }

    /** The request's Content-Length, or -1 when it has none (a chunked body) or not a number. */
    private static long contentLength(HttpExchange exchange) {
        String value = exchange.getRequestHeaders().getFirst("Content-Length");
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private String executionParameters() {
        return "{\"MaxConcurrentTransforms\": " + settings.maxConcurrentTransforms() + ", \"BatchStrategy\": \""
                + settings.batchStrategy() + "\", \"MaxPayloadInMB\": " + settings.maxPayloadBytes() / (1024 * 1024) + "}";
    }

    private static void answer(HttpExchange exchange, int status, String body, String contentType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
