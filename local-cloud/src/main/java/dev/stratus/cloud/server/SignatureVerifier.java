package dev.stratus.cloud.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Checks the AWS Signature Version 4 of a request to the local endpoint against the one local credential pair.
 *
 * <p>The expected signature is computed by the AWS SDK's own signer ({@link AwsV4HttpSigner}), not by hand: the request is
 * rebuilt from exactly the headers its {@code SignedHeaders} names, signed at the instant its {@code X-Amz-Date} gives, and
 * the two signatures are compared in constant time.
 *
 * <p>That signer always signs {@code x-amz-content-sha256}, as the AWS SDK for Java 2.x does for every service; botocore
 * (the AWS CLI, boto3) does not outside S3, so its requests are signed again with the SDK's older {@code Aws4Signer}, which
 * signs exactly the headers a request has.
 *
 * <p>An unknown access key id is reported as {@code UnrecognizedClientException}, as the awsJson services (SageMaker,
 * CloudWatch Logs) say; awsQuery services (STS, CloudWatch's query protocol) say {@code InvalidClientTokenId} with the same
 * status, and mapping the code is left to the caller, which knows the protocol.
 */
public final class SignatureVerifier {

    /** How far X-Amz-Date may be from now, either way, as on AWS. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(15);

    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();
    @SuppressWarnings("deprecation")
    private static final Aws4Signer LEGACY_SIGNER = Aws4Signer.create();

    private static final Pattern AUTHORIZATION = Pattern.compile("AWS4-HMAC-SHA256 Credential=([^/\\s]+)/(\\d{8})/([^/\\s]+)"
            + "/([^/\\s]+)/aws4_request,\\s*SignedHeaders=([^,\\s]+),\\s*Signature=([0-9a-f]{64})");
    private static final String AUTHORIZATION_FORM = "'AWS4-HMAC-SHA256 Credential=<access key id>/<yyyyMMdd>/<region>"
            + "/<service>/aws4_request, SignedHeaders=<a;b;c>, Signature=<64 hex digits>'";
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final String SIGNATURE = "Signature=";
    private static final String MISMATCH = "The request signature we calculated does not match the signature you provided."
            + " Check your AWS Secret Access Key and signing method.";

    private final String accessKeyId;
    private final AwsCredentialsIdentity credentials;
    private final Clock clock;
    /**
     * The last X-Amz-Date read: requests signed within the same second share it, and parsing it with a
     * DateTimeFormatter was 3% of the local cloud's CPU under InvokeEndpoint load.
     */
    private volatile SigningTime lastSigningTime;

    public SignatureVerifier(String accessKeyId, String secretAccessKey) {
        this(accessKeyId, secretAccessKey, Clock.systemUTC());
    }

    /** With the clock that "now" is read from, for tests of expired signatures. */
    SignatureVerifier(String accessKeyId, String secretAccessKey, Clock clock) {
        this.accessKeyId = accessKeyId;
        this.credentials = AwsCredentialsIdentity.create(accessKeyId, secretAccessKey);
        this.clock = clock;
    }

    /** Verifies the signature; returns its scope. */
    public CredentialScope verify(SignedRequest request) throws AwsException {
        return verify(request, Authorization.of(request.headers()));
    }

    /** Verifies the signature against its Authorization header, read already (to route the request by its scope). */
    CredentialScope verify(SignedRequest request, Authorization claimed) throws AwsException {
        Instant signedAt = signedAt(request.headers());
        if (!claimed.scope().accessKeyId().equals(accessKeyId)) {
            throw new AwsException(403, "UnrecognizedClientException", "The security token included in the request is invalid:"
                    + " use the local cloud's credentials (./stratus local env)");
        }
        checkFresh(signedAt);

        String signedAgain = claimed.signedHeaders().contains("x-amz-content-sha256")
                ? sign(request, claimed, signedAt).firstMatchingHeader("Authorization").orElseThrow()
                : signAsSent(request, claimed, signedAt);
        // The signer's own header is well formed: its signature is what follows its last "Signature=".
        String expected = signedAgain.substring(signedAgain.lastIndexOf(SIGNATURE) + SIGNATURE.length());
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                claimed.signature().getBytes(StandardCharsets.US_ASCII))) {
            throw new AwsException(403, "SignatureDoesNotMatch", MISMATCH);
        }
        return claimed.scope();
    }

    /** The request as the client signed it, signed again here with the local secret. */
    private SdkHttpRequest sign(SignedRequest request, Authorization claimed, Instant signedAt) {
        SdkHttpRequest rebuilt = rebuild(request, claimed.signedHeaders());
        // The signer hashes the body unless the client says it signed UNSIGNED-PAYLOAD instead (over http the signer would
        // hash it regardless, which is why rebuild() says https).
        boolean payloadSigned = !first(request.headers(), "x-amz-content-sha256").equals(UNSIGNED_PAYLOAD);
        return SIGNER.sign(r -> r
                .identity(credentials)
                .request(rebuilt)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(request.body()))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, claimed.scope().service())
                .putProperty(AwsV4HttpSigner.REGION_NAME, claimed.scope().region())
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC))
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, payloadSigned)
                // What the SDK does for every service but S3 (whose requests S3Proxy checks): paths are normalized and
                // their encoding encoded again. These are the signer's defaults, written out because they must match.
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, true)
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, true))
                .request();
    }

    /**
     * botocore (the AWS CLI, boto3) signs no x-amz-content-sha256 outside S3, and {@link AwsV4HttpSigner} always signs that
     * header. The SDK's older {@link Aws4Signer} signs exactly the headers a request has, so it re-signs those requests.
     */
    @SuppressWarnings("deprecation")
    private String signAsSent(SignedRequest request, Authorization claimed, Instant signedAt) {
        SdkHttpRequest rebuilt = rebuild(request, claimed.signedHeaders());
        String host = first(request.headers(), "host");
        int colon = host.lastIndexOf(':');
        // This signer signs the request's own host and port as the Host header, not a Host header it is given.
        SdkHttpFullRequest asSent = SdkHttpFullRequest.builder()
                .method(rebuilt.method())
                .protocol("http")
                .host(colon > 0 && !host.endsWith("]") ? host.substring(0, colon) : host)
                .port(colon > 0 && !host.endsWith("]") ? Integer.parseInt(host.substring(colon + 1)) : 80)
                .encodedPath(rebuilt.encodedPath())
                .rawQueryParameters(rebuilt.rawQueryParameters())
                .headers(rebuilt.headers())
                .contentStreamProvider(ContentStreamProvider.fromByteArrayUnsafe(request.body()))
                .build();
        return LEGACY_SIGNER.sign(asSent, Aws4SignerParams.builder()
                        .awsCredentials(AwsBasicCredentials.create(accessKeyId, credentials.secretAccessKey()))
                        .signingName(claimed.scope().service())
                        .signingRegion(Region.of(claimed.scope().region()))
                        .signingClockOverride(Clock.fixed(signedAt, ZoneOffset.UTC))
                        .doubleUrlEncode(true)
                        .normalizePath(true)
                        .build())
                .firstMatchingHeader("Authorization").orElseThrow();
    }

    /** Method, path and query as received, and only the signed headers: others (Connection, User-Agent...) are not covered. */
    private static SdkHttpRequest rebuild(SignedRequest request, String signedHeaders) {
        try {
            return rebuildOrThrow(request, signedHeaders);
        } catch (IllegalArgumentException unreadable) {
            // A method, path or query the SDK cannot even represent: nothing a client signed could match it.
            throw new AwsException(403, "SignatureDoesNotMatch", MISMATCH + " (" + unreadable.getMessage() + ")");
        }
    }

    private static SdkHttpRequest rebuildOrThrow(SignedRequest request, String signedHeaders) {
        SdkHttpRequest.Builder rebuilt = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(request.method()))
                // Neither protocol nor this host is signed; the signer keeps the Host header below rather than this one.
                .protocol("https")
                .host("localhost")
                .encodedPath(request.rawPath());
        if (request.rawQuery() != null && !request.rawQuery().isEmpty()) {
            for (String parameter : request.rawQuery().split("&")) {
                int equals = parameter.indexOf('=');
                String name = equals < 0 ? parameter : parameter.substring(0, equals);
                String value = equals < 0 ? "" : parameter.substring(equals + 1);
                // The signer takes decoded values and encodes them SigV4's way, whatever encoding the client sent
                // ('+' reads as a space, as in form encoding: SDKs send a '+' as %2B).
                rebuilt.appendRawQueryParameter(URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        }
        for (String name : signedHeaders.split(";")) {
            List<String> values = request.headers().get(name);
            if (values == null) {
                throw new AwsException(403, "SignatureDoesNotMatch", MISMATCH + " (SignedHeaders names '" + name
                        + "', which the request does not have)");
            }
            rebuilt.putHeader(name, values);
        }
        return rebuilt.build();
    }

    private Instant signedAt(Map<String, List<String>> headers) {
        String amzDate = first(headers, "x-amz-date");
        SigningTime last = lastSigningTime;
        if (last != null && last.amzDate().equals(amzDate)) {
            return last.instant();
        }
        if (amzDate.isEmpty()) {
            throw new AwsException(400, "IncompleteSignature", "Authorization header requires existence of an 'X-Amz-Date'"
                    + " header (a 'Date' header is not accepted here): sign requests with an AWS SDK");
        }
        try {
            Instant instant = AMZ_DATE.parse(amzDate, Instant::from);
            lastSigningTime = new SigningTime(amzDate, instant);
            return instant;
        } catch (DateTimeParseException e) {
            throw new AwsException(400, "IncompleteSignature", "X-Amz-Date '" + amzDate + "' is not in the form"
                    + " yyyyMMdd'T'HHmmss'Z' (e.g. 20240101T120000Z): sign requests with an AWS SDK");
        }
    }

    /** AWS's replay window, with AWS's wording. */
    private void checkFresh(Instant signedAt) {
        Instant now = clock.instant();
        if (signedAt.isBefore(now.minus(MAX_CLOCK_SKEW))) {
            throw new AwsException(403, "InvalidSignatureException", "Signature expired: " + AMZ_DATE.format(signedAt)
                    + " is now earlier than " + AMZ_DATE.format(now.minus(MAX_CLOCK_SKEW)) + " (" + AMZ_DATE.format(now)
                    + " - 15 min.): sign each request when sending it, and check the signing machine's clock");
        }
        if (signedAt.isAfter(now.plus(MAX_CLOCK_SKEW))) {
            throw new AwsException(403, "InvalidSignatureException", "Signature not yet current: " + AMZ_DATE.format(signedAt)
                    + " is still later than " + AMZ_DATE.format(now.plus(MAX_CLOCK_SKEW)) + " (" + AMZ_DATE.format(now)
                    + " + 15 min.): check the signing machine's clock");
        }
    }

    /** A header's first value, or "" when it is absent. */
    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? "" : values.get(0);
    }

    private record SigningTime(String amzDate, Instant instant) {
    }

    /** The parts of an Authorization header. */
    record Authorization(CredentialScope scope, String signedHeaders, String signature) {

        /** The request's Authorization header, read without checking anything else; AwsException when there is none usable. */
        static Authorization of(Map<String, List<String>> headers) {
            String header = first(headers, "authorization");
            if (header.isEmpty()) {
                throw new AwsException(403, "MissingAuthenticationToken", "Request is missing Authentication Token:"
                        + " sign requests with the local credentials (./stratus local env)");
            }
            return parse(header);
        }

        static Authorization parse(String header) {
            Matcher parts = AUTHORIZATION.matcher(header.trim());
            if (!parts.matches()) {
                throw new AwsException(400, "IncompleteSignature", "Authorization header is not an AWS Signature Version 4 of"
                        + " the form " + AUTHORIZATION_FORM + ": sign requests with an AWS SDK and the local credentials"
                        + " (./stratus local env)");
            }
            return new Authorization(new CredentialScope(parts.group(1), parts.group(2), parts.group(3), parts.group(4)),
                    parts.group(5), parts.group(6));
        }
    }
}
