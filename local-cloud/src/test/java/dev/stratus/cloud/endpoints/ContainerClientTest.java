package dev.stratus.cloud.endpoints;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** The client to model servers, against real HTTP servers on loopback: the JDK's, and a raw one that closes connections. */
class ContainerClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final ContainerClient client = new ContainerClient();
    /** The client's port of each request the server saw: one port is one connection. */
    private final CopyOnWriteArrayList<Integer> connections = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private URI base;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/ping", exchange -> answer(exchange, 200, "text/plain", new byte[0], -1));
        server.createContext("/invocations", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String attributes = exchange.getRequestHeaders().getFirst("X-Amzn-SageMaker-Custom-Attributes");
            if (attributes != null) {
                exchange.getResponseHeaders().set("X-Amzn-SageMaker-Custom-Attributes", "echo:" + attributes);
            }
            String text = new String(body, StandardCharsets.UTF_8);
            switch (text) {
                case "slow" -> {
                    sleep(2_000);
                    answer(exchange, 200, "text/plain", body, body.length);
                }
                case "chunked" -> answer(exchange, 200, "text/csv", "1\n2\n3\n".getBytes(StandardCharsets.UTF_8), 0);
                case "close" -> {
                    exchange.getResponseHeaders().set("Connection", "close");
                    answer(exchange, 200, "text/plain", body, body.length);
                }
                case "fail" -> answer(exchange, 500, "text/plain", "the model failed".getBytes(StandardCharsets.UTF_8), 16);
                default -> answer(exchange, 200, exchange.getRequestHeaders().getFirst("Content-Type")
                        + "; length=" + exchange.getRequestHeaders().getFirst("Content-Length"), body, body.length);
            }
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop(0);
    }

    @Test
    void postsTheBodyAndHeadersAndReadsTheAnswer() throws IOException {
        byte[] body = "1.0,2.0,3.0".getBytes(StandardCharsets.UTF_8);

        ContainerClient.Answer answer = client.invoke(base.resolve("/invocations"), body,
                Map.of("Content-Type", "text/csv", "X-Amzn-SageMaker-Custom-Attributes", "trace=7"), TIMEOUT);

        assertEquals(200, answer.status());
        assertEquals("text/csv; length=11", answer.contentType());
        assertArrayEquals(body, answer.body());
        assertEquals(Optional.of("echo:trace=7"), answer.customAttributes());
    }

    @Test
    void keepsOneConnectionForRequestsInTurn() throws IOException {
        for (int i = 0; i < 5; i++) {
            assertEquals(200, client.invoke(base.resolve("/invocations"), new byte[] {'1'}, Map.of(), TIMEOUT).status());
        }
        assertTrue(client.ping(base.resolve("/ping"), TIMEOUT));

        assertEquals(6, connections.size());
        assertEquals(1, connections.stream().distinct().count(), "connections used: " + connections);
    }

    @Test
    void readsChunkedAnswersAndErrorStatuses() throws IOException {
        ContainerClient.Answer chunked = client.invoke(base.resolve("/invocations"), bytes("chunked"), Map.of(), TIMEOUT);
        ContainerClient.Answer failed = client.invoke(base.resolve("/invocations"), bytes("fail"), Map.of(), TIMEOUT);

        assertEquals("1\n2\n3\n", new String(chunked.body(), StandardCharsets.UTF_8));
        assertEquals(500, failed.status());
        assertEquals("the model failed", new String(failed.body(), StandardCharsets.UTF_8));
        assertEquals(1, connections.stream().distinct().count(), "both on one connection: " + connections);
    }

    @Test
    void opensANewConnectionAfterTheServerSaidClose() throws IOException {
        client.invoke(base.resolve("/invocations"), bytes("close"), Map.of(), TIMEOUT);
        ContainerClient.Answer next = client.invoke(base.resolve("/invocations"), bytes("next"), Map.of(), TIMEOUT);

        assertEquals("next", new String(next.body(), StandardCharsets.UTF_8));
        assertNotEquals(connections.get(0), connections.get(1));
    }

    @Test
    void aModelSlowerThanTheTimeoutIsASocketTimeoutAndTheNextRequestStillWorks() throws IOException {
        assertThrows(SocketTimeoutException.class,
                () -> client.invoke(base.resolve("/invocations"), bytes("slow"), Map.of(), Duration.ofMillis(300)));

        assertEquals(200, client.invoke(base.resolve("/invocations"), bytes("after"), Map.of(), TIMEOUT).status());
    }

    @Test
    void nothingListeningIsAnIOExceptionAndAFailedPing() throws IOException {
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }
        URI gone = URI.create("http://127.0.0.1:" + free);

        assertThrows(IOException.class, () -> client.invoke(gone.resolve("/invocations"), bytes("1"), Map.of(), TIMEOUT));
        assertFalse(client.ping(gone.resolve("/ping"), TIMEOUT));
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsNotReused() throws Exception {
        // A model server that answers one request per connection, keep-alive promised, then closes it.
        try (ServerSocket closing = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread accepting = new Thread(() -> {
                while (!closing.isClosed()) {
                    try (Socket socket = closing.accept()) {
                        InputStream in = socket.getInputStream();
                        String head = "";
                        while (!head.endsWith("\r\n\r\n")) {
                            int c = in.read();
                            if (c < 0) {
                                break;
                            }
                            head += (char) c;
                        }
                        OutputStream out = socket.getOutputStream();
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    } catch (IOException stopped) {
                        return;
                    }
                }
            });
            accepting.setDaemon(true);
            accepting.start();
            URI ping = URI.create("http://127.0.0.1:" + closing.getLocalPort() + "/ping");

            assertEquals("ok", new String(client.get(ping, TIMEOUT).body(), StandardCharsets.UTF_8));
            Thread.sleep(1_200);
            assertEquals("ok", new String(client.get(ping, TIMEOUT).body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aClosedClientRefusesRequests() {
        client.close();

        IOException refused = assertThrows(IOException.class,
                () -> client.invoke(base.resolve("/invocations"), bytes("1"), Map.of(), TIMEOUT));
        assertEquals("the local cloud is stopping", refused.getMessage());
    }

    private void answer(HttpExchange exchange, int status, String contentType, byte[] body, long length) throws IOException {
        connections.add(exchange.getRemoteAddress().getPort());
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
