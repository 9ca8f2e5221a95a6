package dev.stratus.cloud.endpoints;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.http.Header;
import org.apache.http.HttpResponse;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.client.IdleConnectionEvictor;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.util.EntityUtils;

/**
 * HTTP to endpoint instances' model servers: {@code GET /ping} and {@code POST /invocations} over kept-alive
 * HTTP/1.1 connections. Apache's blocking client answers on the calling thread; the JDK's client hands every
 * response across threads, which measured 2.4x slower on two busy cores (bench/serving.sh). Its minimal form: no
 * redirects, cookies, authentication or retries to run through on every request, none of which a model server uses
 * (retries are the runtime's to decide: it moves a failed request to another healthy instance).
 */
public final class ContainerClient implements Closeable {

    /** A model server's answer: status, Content-Type, body and the custom attributes it sent back. */
    public record Answer(int status, String contentType, byte[] body, Optional<String> customAttributes) {
    }

    private final CloseableHttpClient http;
    private final IdleConnectionEvictor evictor;

    public ContainerClient() {
        PoolingHttpClientConnectionManager connections = new PoolingHttpClientConnectionManager();
        connections.setMaxTotal(256);
        connections.setDefaultMaxPerRoute(64);
        // A model server may close a connection left idle; look before reusing one that idled a while.
        connections.setValidateAfterInactivity(1000);
        this.http = HttpClients.createMinimal(connections);
        this.evictor = new IdleConnectionEvictor(connections, 10, TimeUnit.SECONDS);
        evictor.start();
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
        HttpGet get = new HttpGet(uri);
        get.setConfig(timeouts(timeout, timeout));
        return http.execute(get, this::answer);
    }

    /**
     * Posts a request to {@code /invocations}.
     *
     * @throws SocketTimeoutException when the model does not answer within {@code timeout}
     * @throws IOException when the request did not reach a live model server (it died, or closed the connection)
     */
    public Answer invoke(URI invocations, byte[] body, Map<String, String> headers, Duration timeout) throws IOException {
        HttpPost post = new HttpPost(invocations);
        post.setConfig(timeouts(Instance.PING_TIMEOUT, timeout));
        headers.forEach(post::setHeader);
        post.setEntity(new ByteArrayEntity(body));
        return http.execute(post, this::answer);
    }

    private Answer answer(HttpResponse response) throws IOException {
        return new Answer(response.getStatusLine().getStatusCode(),
                header(response, "Content-Type").orElse("application/octet-stream"),
                response.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(response.getEntity()),
                header(response, EndpointRuntime.CUSTOM_ATTRIBUTES));
    }

    private static Optional<String> header(HttpResponse response, String name) {
        return Optional.ofNullable(response.getFirstHeader(name)).map(Header::getValue);
    }

    private static RequestConfig timeouts(Duration connect, Duration answer) {
        return RequestConfig.custom().setConnectTimeout((int) connect.toMillis()).setConnectionRequestTimeout((int) answer.toMillis())
                .setSocketTimeout((int) answer.toMillis()).build();
    }

    @Override
    public void close() throws IOException {
        evictor.shutdown();
        http.close();
    }
}
