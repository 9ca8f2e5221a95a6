package dev.stratus.cloud.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An inference server for the local cloud's tests that follows SageMaker's container contract: started as
 * {@code serve}, it answers GET /ping and POST /invocations on SAGEMAKER_BIND_TO_PORT with a model read from
 * SAGEMAKER_BASE_DIR/model/. The model is {@code model.txt} with lines {@code scale=<a>} and {@code bias=<b>}; each
 * CSV row of a request is answered with a * (sum of the row) + b, as CSV or, when Accept asks, JSON. It echoes custom
 * attributes, answers 500 when the body is "fail", its pid to "pid", an environment variable to "env NAME", the
 * inference id to "inference-id", and exits at once on "exit". TEST_PING_STATUS makes /ping answer another status.
 * For batch transform: GET /execution-parameters answers TEST_EXECUTION_PARAMETERS when it is set (404 otherwise), and
 * TEST_INVOCATION_DELAY_MS makes each invocation take that long and print how many were in flight ("in flight: N").
 */
public final class TestModelServer {

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !args[0].equals("serve")) {
            System.err.println("usage: TestModelServer serve");
            System.exit(64);
        }
        Path model = Path.of(System.getenv("SAGEMAKER_BASE_DIR"), "model", "model.txt");
        if (!Files.isRegularFile(model)) {
            System.err.println("no model: " + model + " is missing");
            System.exit(2);
        }
        Map<String, Double> parameters = new HashMap<>();
        for (String line : Files.readAllLines(model)) {
            String[] pair = line.split("=", 2);
            if (pair.length == 2) {
                parameters.put(pair[0].strip(), Double.parseDouble(pair[1].strip()));
            }
        }
        double scale = parameters.getOrDefault("scale", 1.0);
        double bias = parameters.getOrDefault("bias", 0.0);
        int pingStatus = Integer.parseInt(System.getenv().getOrDefault("TEST_PING_STATUS", "200"));
        int port = Integer.parseInt(System.getenv("SAGEMAKER_BIND_TO_PORT"));

        // The JDK's server writes headers and body apart; with Nagle's algorithm on, each answer waits ~40 ms for a delayed ACK.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/ping", exchange -> answer(exchange, pingStatus, "text/plain", ""));
        String executionParameters = System.getenv("TEST_EXECUTION_PARAMETERS");
        if (executionParameters != null) {
            server.createContext("/execution-parameters", exchange -> answer(exchange, 200, "application/json", executionParameters));
        }
        long delay = Long.parseLong(System.getenv().getOrDefault("TEST_INVOCATION_DELAY_MS", "0"));
        AtomicInteger inFlight = new AtomicInteger();
        server.createContext("/invocations", exchange -> {
            if (delay > 0) {
                System.out.println("in flight: " + inFlight.incrementAndGet());
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    inFlight.decrementAndGet();
                }
            }
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).strip();
            String attributes = exchange.getRequestHeaders().getFirst("X-Amzn-SageMaker-Custom-Attributes");
            if (attributes != null) {
                exchange.getResponseHeaders().set("X-Amzn-SageMaker-Custom-Attributes", "echo:" + attributes);
            }
            switch (body) {
                case "fail" -> answer(exchange, 500, "text/plain", "the model failed on request");
                case "exit" -> Runtime.getRuntime().halt(3);
                case "pid" -> answer(exchange, 200, "text/plain", Long.toString(ProcessHandle.current().pid()));
                case "inference-id" -> answer(exchange, 200, "text/plain",
                        String.valueOf(exchange.getRequestHeaders().getFirst("X-Amzn-SageMaker-Inference-Id")));
                default -> {
                    if (body.startsWith("env ")) {
                        answer(exchange, 200, "text/plain", String.valueOf(System.getenv(body.substring(4))));
                        return;
                    }
                    List<Double> predictions = new ArrayList<>();
                    try {
                        for (String row : body.split("\n")) {
                            double sum = 0;
                            for (String value : row.split(",")) {
                                sum += Double.parseDouble(value.strip());
                            }
                            predictions.add(scale * sum + bias);
                        }
                    } catch (NumberFormatException e) {
                        answer(exchange, 400, "text/plain", "cannot read CSV: " + e.getMessage());
                        return;
                    }
                    String accept = String.valueOf(exchange.getRequestHeaders().getFirst("Accept"));
                    if (accept.contains("application/json")) {
                        answer(exchange, 200, "application/json", "{\"predictions\": " + predictions + "}");
                    } else {
                        StringBuilder csv = new StringBuilder();
                        predictions.forEach(p -> csv.append(p).append('\n'));
                        answer(exchange, 200, "text/csv", csv.toString());
                    }
                }
            }
        });
        server.start();
        System.out.println("test model server on port " + port + " with scale=" + scale + " bias=" + bias);
    }

    private static void answer(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private TestModelServer() {
    }
}
