package dev.stratus.algorithms.scriptmode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import dev.stratus.algorithms.AlgorithmError;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Fetches the code archive from S3 as any program in a SageMaker container reaches S3: with the AWS SDK's default
 * credentials and region (on SageMaker the execution role's; in the local cloud the {@code AWS_*} variables it gives
 * every container, {@code AWS_ENDPOINT_URL} among them).
 */
final class S3Download {

    private S3Download() {
    }

    /** Copies the object {@code uri} names to {@code file}; {@code setting} names where the URI came from in a failure. */
    static void download(String uri, Path file, String setting) throws AlgorithmError, IOException {
        String path = uri.substring("s3://".length());
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            throw AlgorithmError.clientError(setting + " " + uri + " names no object: give the .tar.gz's whole URI,"
                    + " s3://bucket/prefix/sourcedir.tar.gz");
        }
        String bucket = path.substring(0, slash);
        String key = path.substring(slash + 1);
        String failed = setting + " " + uri + " cannot be downloaded: ";
        try (S3Client s3 = client(); InputStream in = s3.getObject(r -> r.bucket(bucket).key(key))) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchKeyException e) {
            throw AlgorithmError.clientError(failed + "there is no object at that URI: upload the .tar.gz there, or fix " + setting);
        } catch (NoSuchBucketException e) {
            throw AlgorithmError.clientError(failed + "bucket " + bucket + " does not exist: create it and upload the .tar.gz there");
        } catch (S3Exception e) {
            throw AlgorithmError.clientError(failed + "S3 answered " + e.statusCode() + " " + e.awsErrorDetails().errorCode()
                    + " (" + e.awsErrorDetails().errorMessage() + "): check that the job's role may read it");
        } catch (SdkClientException e) {
            throw AlgorithmError.clientError(failed + "S3 could not be reached (" + e.getMessage() + ")");
        }
    }

    /**
     * Checksums only when S3 requires them, which S3Proxy (the local cloud's S3) needs; and with an endpoint of its own
     * ({@code AWS_ENDPOINT_URL}, the local cloud) buckets are addressed by path, not by host name.
     */
    private static S3Client client() {
        boolean ownEndpoint = System.getenv("AWS_ENDPOINT_URL") != null || System.getenv("AWS_ENDPOINT_URL_S3") != null;
        return S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .forcePathStyle(ownEndpoint)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }
}
