package org.gaul.s3proxy;

import java.io.IOException;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Writes S3 error responses for the local cloud's S3 endpoint. It lives in S3Proxy's package
 * because S3Exception's accessors are package-private: S3Proxy's own Jetty handler, which the
 * local cloud replaces with its router, sits here too.
 */
public final class S3ErrorResponses {

    private S3ErrorResponses() {
    }

    public static void send(S3ProxyHandler handler, HttpServletRequest request, HttpServletResponse response, S3Exception e)
            throws IOException {
        handler.sendSimpleErrorResponse(request, response, e.getError(), e.getMessage(), e.getElements());
    }

    public static void send(S3ProxyHandler handler, HttpServletRequest request, HttpServletResponse response, S3ErrorCode code)
            throws IOException {
        handler.sendSimpleErrorResponse(request, response, code, code.getMessage(), Map.of());
    }
}
