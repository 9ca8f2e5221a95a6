package dev.stratus.cloud.endpoints;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.http.Header;
import org.apache.http.HttpException;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.HttpResponse;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.impl.DefaultBHttpClientConnection;
import org.apache.http.impl.DefaultConnectionReuseStrategy;
import org.apache.http.message.BasicHttpEntityEnclosingRequest;
import org.apache.http.message.BasicHttpRequest;
import org.apache.http.protocol.BasicHttpContext;
import org.apache.http.protocol.HttpCoreContext;
import org.apache.http.protocol.HttpProcessor;
import org.apache.http.protocol.HttpRequestExecutor;
import org.apache.http.protocol.ImmutableHttpProcessor;
import org.apache.http.protocol.RequestContent;
import org.apache.http.protocol.RequestTargetHost;
import org.apache.http.util.EntityUtils;

/**
 * HTTP to endpoint instances' model servers: {@code GET /ping} and {@code POST /invocations} over kept-alive
 * HTTP/1.1 connections, each exchange blocking on the calling thread (the JDK's client hands every response across
 * threads, which measured 2.4x slower on two busy cores: bench/serving.sh). The protocol is Apache HttpCore's
 * (its blocking connection, request executor and reuse strategy); what is left out is HttpClient's execution chain
 * and pool (routes, redirects, cookies, authentication, URI rewriting, pool locks), which took half of this client's
 * time in a profile of InvokeEndpoint under load and which no model server needs. Retries are the caller's to decide:
 * the runtime moves a failed request to another healthy instance.
 */
public final class ContainerClient implements Closeable {

    /** A model server's answer: status, Content-Type, body and the custom attributes it sent back. */
    public record Answer(int status, String contentType, byte[] body, Optional<String> customAttributes) {
    }

    /** A model server may close a connection left idle: one idle this long is looked at before it is used again. */
    private static final long VALIDATE_AFTER_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Idle connections are closed after this long, so that stopped instances' connections do not linger. */
    private static final long EVICT_AFTER_IDLE_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int BUFFER_SIZE = 8192;

    private record Idle(DefaultBHttpClientConnection connection, long since) {
    }

    private final HttpRequestExecutor exchange = new HttpRequestExecutor();
    /** Host and Content-Length (or chunked Transfer-Encoding) headers, as HttpClient would add them. */
    private final HttpProcessor protocol = new ImmutableHttpProcessor(new RequestContent(), new RequestTargetHost());
    /** Idle connections per model server, the most recently used first. */
    private final Map<HttpHost, Deque<Idle>> idle = new ConcurrentHashMap<>();
    private final ScheduledExecutorService evictor = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "container-connections");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closed;

    public ContainerClient() {
        evictor.scheduleWithFixedDelay(this::evictIdle, 10, 10, TimeUnit.SECONDS);
    }

    /** True when {@code GET /ping} answers 200 within {@code timeout}; false when it answers otherwise or not at all. */
    boolean ping(URI ping, Duration timeout) {
        try {
            return get(ping, timeout).status() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** {@code GET uri} (/ping, /execution-parameters), answered within {@code timeout}. */
    public Answer get(URI uri, Duration timeout) throws IOException {
        return send(uri, new BasicHttpRequest("GET", target(uri)), timeout, timeout);
    }

    /**
     * Posts a request to {@code /invocations}.
     *
     * @throws SocketTimeoutException when the model does not answer within {@code timeout}
     * @throws IOException when the request did not reach a live model server (it died, or closed the connection)
     */
    public Answer invoke(URI invocations, byte[] body, Map<String, String> headers, Duration timeout) throws IOException {
        BasicHttpEntityEnclosingRequest post = new BasicHttpEntityEnclosingRequest("POST", target(invocations));
        headers.forEach(post::setHeader);
        post.setEntity(new ByteArrayEntity(body));
        return send(invocations, post, Instance.PING_TIMEOUT, timeout);
    }

    private Answer send(URI uri, HttpRequest request, Duration connectTimeout, Duration answerTimeout) throws IOException {
        HttpHost server = new HttpHost(uri.getHost(), uri.getPort(), uri.getScheme());
        DefaultBHttpClientConnection connection = lease(server, connectTimeout);
        boolean reusable = false;
        try {
            connection.setSocketTimeout((int) answerTimeout.toMillis());
            HttpCoreContext context = HttpCoreContext.adapt(new BasicHttpContext());
            context.setTargetHost(server);
            exchange.preProcess(request, protocol, context);
            HttpResponse response = exchange.execute(request, connection, context);
            Answer answer = answer(response);
            reusable = DefaultConnectionReuseStrategy.INSTANCE.keepAlive(response, context);
            return answer;
        } catch (HttpException e) {
            throw new IOException("the model server at " + server + " answered outside HTTP/1.1: " + e.getMessage(), e);
        } finally {
            if (reusable && !closed) {
                keep(server, connection);
            } else {
                shutdown(connection);
            }
        }
    }

    /** An idle connection to {@code server} that still looks open, or a new one. */
    private DefaultBHttpClientConnection lease(HttpHost server, Duration connectTimeout) throws IOException {
        if (closed) {
            throw new IOException("the local cloud is stopping");
        }
        Deque<Idle> kept = idle.get(server);
        for (Idle candidate = kept == null ? null : kept.poll(); candidate != null; candidate = kept.poll()) {
            if (System.nanoTime() - candidate.since() < VALIDATE_AFTER_IDLE_NANOS || !candidate.connection().isStale()) {
                return candidate.connection();
            }
            shutdown(candidate.connection());
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(server.getHostName(), server.getPort()), (int) connectTimeout.toMillis());
            DefaultBHttpClientConnection connection = new DefaultBHttpClientConnection(BUFFER_SIZE);
            connection.bind(socket);
            return connection;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Keeps a connection for the next exchange; inside the map's compute, so that no eviction drops it on the floor. */
    private void keep(HttpHost server, DefaultBHttpClientConnection connection) {
        Idle kept = new Idle(connection, System.nanoTime());
        idle.compute(server, (s, connections) -> {
            Deque<Idle> into = connections == null ? new ConcurrentLinkedDeque<>() : connections;
            into.push(kept);
            return into;
        });
    }

    private static String target(URI uri) {
        return uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
    }

    private static Answer answer(HttpResponse response) throws IOException {
        return new Answer(response.getStatusLine().getStatusCode(),
                header(response, "Content-Type").orElse("application/octet-stream"),
                response.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(response.getEntity()),
                header(response, EndpointRuntime.CUSTOM_ATTRIBUTES));
    }

    private static Optional<String> header(HttpResponse response, String name) {
        return Optional.ofNullable(response.getFirstHeader(name)).map(Header::getValue);
    }

    /** Closes connections idle too long, and forgets servers left without any. */
    private void evictIdle() {
        long now = System.nanoTime();
        idle.forEach((server, kept) -> {
            for (Idle candidate : kept) {
                // remove() is true only for the thread that takes it: an exchange may have just leased it.
                if (now - candidate.since() > EVICT_AFTER_IDLE_NANOS && kept.remove(candidate)) {
                    shutdown(candidate.connection());
                }
            }
            idle.computeIfPresent(server, (s, still) -> still.isEmpty() ? null : still);
        });
    }

    private static void shutdown(DefaultBHttpClientConnection connection) {
        try {
            connection.shutdown();
        } catch (IOException alreadyGone) {
            // Nothing to release.
        }
    }

    /** Closes idle connections; those in use are closed when their exchange ends. */
    @Override
    public void close() {
        closed = true;
        evictor.shutdownNow();
        idle.values().forEach(kept -> kept.forEach(candidate -> shutdown(candidate.connection())));
        idle.clear();
    }
}
