package dev.stratus.cloud.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3ErrorCode;
import org.gaul.s3proxy.S3ErrorResponses;
import org.gaul.s3proxy.S3Exception;
import org.gaul.s3proxy.S3ProxyHandler;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.ContainerNotFoundException;
import org.jclouds.blobstore.KeyNotFoundException;
import org.jclouds.http.HttpResponseException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * S3 on the local endpoint: S3Proxy's request handler over a filesystem store under the home,
 * called in-process (no second port, no proxy hop). S3Proxy checks S3's signatures itself,
 * including chunked uploads, with the same local key pair.
 */
public final class S3Endpoint {

    /** Single PUTs up to this size are read whole to check their signature (S3Proxy's setting). */
    private static final long MAX_NON_CHUNKED_REQUEST = 256L * 1024 * 1024;
    private static final long MAX_SINGLE_PART_OBJECT = 5L * 1024 * 1024 * 1024;

    private final BlobStore blobStore;
    private final S3ProxyHandler handler;

    private S3Endpoint(BlobStore blobStore, String accessKeyId, String secretAccessKey) {
        this.blobStore = blobStore;
        this.handler = new S3ProxyHandler(blobStore, AuthenticationType.AWS_V2_OR_V4, accessKeyId, secretAccessKey, null,
                MAX_SINGLE_PART_OBJECT, MAX_NON_CHUNKED_REQUEST, true, null, "", 15 * 60);
    }

    public static S3Endpoint open(Path objects, String accessKeyId, String secretAccessKey) throws IOException {
        Files.createDirectories(objects);
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", objects.toString());
        // filesystem-nio2 does not list folder placeholders as objects, as S3 does not.
        BlobStore store = ContextBuilder.newBuilder("filesystem-nio2")
                .credentials("local", "local") // the store itself has no credentials; S3Proxy checks the requests'
                .overrides(properties)
                .build(BlobStoreContext.class)
                .getBlobStore();
        return new S3Endpoint(store, accessKeyId, secretAccessKey);
    }

    /** The store itself, for the local cloud's own reads and writes (channel data, model artifacts). */
    public BlobStore blobStore() {
        return blobStore;
    }

    /** Answers one S3 request, mapping failures to S3's error XML as S3Proxy's own Jetty handler does. */
    public void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        request.setAttribute("queryEncoding", request.getCharacterEncoding());
        try (InputStream body = request.getInputStream()) {
            handler.doHandle(request, request, response, body);
        } catch (S3Exception e) {
            S3ErrorResponses.send(handler, request, response, e);
        } catch (ContainerNotFoundException e) {
            S3ErrorResponses.send(handler, request, response, S3ErrorCode.NO_SUCH_BUCKET);
        } catch (KeyNotFoundException e) {
            S3ErrorResponses.send(handler, request, response, S3ErrorCode.NO_SUCH_KEY);
        } catch (HttpResponseException e) {
            response.sendError(e.getResponse() == null ? 500 : e.getResponse().getStatusCode(), e.getMessage());
        } catch (IllegalArgumentException e) {
            response.sendError(400, e.getMessage());
        }
    }
}
