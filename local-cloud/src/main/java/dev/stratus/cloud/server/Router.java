package dev.stratus.cloud.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.AbstractHandler;

import dev.stratus.cloud.s3.S3Endpoint;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The one endpoint: routes each request by the service named in its SigV4 credential scope,
 * and, where services share that name (SageMaker and SageMaker Runtime), by path.
 * S3 goes to S3Proxy, which checks S3's signatures itself; every other service's request is
 * verified here before its service sees it.
 */
public final class Router extends AbstractHandler {

    /** Unsigned, read-only, counts only: what {@code ./stratus local status} shows. */
    public static final String STATUS_PATH = "/_stratus/status";

    private final S3Endpoint s3;
    private final Map<String, List<AwsService>> services = new TreeMap<>();
    private final SignatureVerifier verifier;
    private final Supplier<String> status;

    public Router(S3Endpoint s3, List<AwsService> services, SignatureVerifier verifier, Supplier<String> status) {
        this.s3 = s3;
        services.forEach(service -> this.services.computeIfAbsent(service.signingName(), name -> new ArrayList<>()).add(service));
        this.verifier = verifier;
        this.status = status;
    }

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        baseRequest.setHandled(true);
        if (STATUS_PATH.equals(request.getRequestURI()) && "GET".equals(request.getMethod())) {
            write(response, AwsResponse.of(200, "application/json", status.get()));
            return;
        }
        Map<String, List<String>> headers = headers(baseRequest);
        SignatureVerifier.Authorization authorization = authorizationOf(headers);
        String service = serviceOf(authorization, request.getQueryString());
        if (service == null && headers.containsKey("x-amz-target")) {
            write(response, JsonRpc.error(new AwsException(403, "MissingAuthenticationToken",
                    "Request is missing Authentication Token: sign requests with the local credentials (./stratus local env)")));
            return;
        }
        if (service == null || service.equals("s3")) {
            // Unsigned and presigned requests are S3's to judge, as on AWS.
            s3.handle(request, response);
            return;
        }
        AwsService handler = services.getOrDefault(service, List.of()).stream()
                .filter(candidate -> candidate.serves(rawPath(request))).findFirst().orElse(null);
        if (handler == null) {
            write(response, JsonRpc.error(new AwsException(400, "UnknownServiceException", "the local cloud does not serve '"
                    + service + "': it serves s3, " + String.join(", ", services.keySet()))));
            return;
        }
        byte[] body = request.getInputStream().readAllBytes();
        AwsResponse answer;
        try {
            CredentialScope scope = verifier.verify(new SignedRequest(request.getMethod(), rawPath(request),
                    request.getQueryString(), headers, body), authorization);
            answer = handler.handle(new AwsRequest(request.getMethod(), rawPath(request), request.getQueryString(), headers,
                    body, scope));
        } catch (AwsException e) {
            answer = handler.error(e, headers);
        } catch (Exception e) {
            answer = handler.error(new AwsException(500, "InternalFailure", e.toString()), headers);
        }
        write(response, answer);
    }

    /** The signing name of the request's credential scope, from its Authorization header or presigned query; null if unsigned. */
    private static String serviceOf(SignatureVerifier.Authorization authorization, String query) {
        if (authorization != null) {
            return authorization.scope().service();
        }
        return query != null && query.contains("X-Amz-Credential=") ? "s3" : null;
    }

    /**
     * The request's SigV4 Authorization header, read once for routing and for the signature check; null when it has none
     * or one that is not SigV4 (S3's older signatures, which S3Proxy judges).
     */
    private static SignatureVerifier.Authorization authorizationOf(Map<String, List<String>> headers) {
        if (!headers.containsKey("authorization")) {
            return null;
        }
        try {
            return SignatureVerifier.Authorization.of(headers);
        } catch (AwsException malformed) {
            return null;
        }
    }

    private static String rawPath(HttpServletRequest request) {
        return request.getRequestURI();
    }

    /** Each header's values by lower-case name, in one pass over Jetty's fields (asking by name scans them all each time). */
    private static Map<String, List<String>> headers(Request request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpField field : request.getHttpFields()) {
            headers.computeIfAbsent(field.getLowerCaseName(), name -> new ArrayList<>(1)).add(field.getValue());
        }
        return headers;
    }

    private static void write(HttpServletResponse response, AwsResponse answer) throws IOException {
        response.setStatus(answer.status());
        response.setContentType(answer.contentType());
        answer.headers().forEach(response::setHeader);
        response.setContentLength(answer.body().length);
        response.getOutputStream().write(answer.body());
    }
}
