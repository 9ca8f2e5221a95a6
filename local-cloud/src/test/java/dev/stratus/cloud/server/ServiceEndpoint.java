package dev.stratus.cloud.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Serves one {@link AwsService} on 127.0.0.1 for a service's own tests, so that they can drive
 * it with the real AWS SDK client before (and apart from) the whole local cloud. It reads the
 * credential scope but does not verify signatures: the local cloud's router does that.
 */
public final class ServiceEndpoint implements AutoCloseable {

    private final HttpServer server;

    public ServiceEndpoint(AwsService service) throws IOException {
        // Without it, the JDK's server answers each request about 40 ms late (Nagle's algorithm).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> serve(service, exchange));
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static void serve(AwsService service, HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
            byte[] body = exchange.getRequestBody().readAllBytes();
            AwsResponse response;
            try {
                AwsRequest request = new AwsRequest(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        exchange.getRequestURI().getRawQuery(), headers, body, SignatureVerifier.Authorization.of(headers).scope());
                response = service.handle(request);
            } catch (Exception e) {
                response = AwsResponse.of(500, "text/plain", e.toString());
            }
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
            if (response.body().length > 0) {
                exchange.getResponseBody().write(response.body());
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
