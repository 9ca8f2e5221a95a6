package dev.stratus.cloud.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.sun.net.httpserver.HttpServer;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sts.StsClient;

class SignatureVerifierTest {

    private static final String KEY = "STRATUSLOCALKEYID";
    private static final String SECRET = "stratus-local-secret-key";
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final byte[] JSON = "{\"logGroupNamePrefix\":\"x\"}".getBytes(StandardCharsets.UTF_8);

    /** For requests signed at {@link #NOW}. */
    private final SignatureVerifier verifier = new SignatureVerifier(KEY, SECRET, Clock.fixed(NOW, ZoneOffset.UTC));

    // ---- Requests signed with the signer the SDK clients use ----

    @Test
    void acceptsAJsonRequestSignedAsAnSdkClientSignsIt() {
        SignedRequest request = signed(jsonPost(), JSON, "logs", NOW, SECRET, r -> { });

        assertEquals(new CredentialScope(KEY, "20240501", "us-east-1", "logs"), verifier.verify(request));
    }

    @Test
    void acceptsAGetWithAnEncodedPathAndAQueryNeedingEncoding() {
        SdkHttpRequest get = SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(URI.create("http://localhost:4566"))
                .encodedPath("/jobs/my%20job/runs")
                .appendRawQueryParameter("prefix", "a b/c=d+e&é")
                .appendRawQueryParameter("max-items", "5")
                .appendRawQueryParameter("max-items", "10")
                .appendRawQueryParameter("flag", "")
                .build();
        SignedRequest request = signed(get, new byte[0], "sagemaker", NOW, SECRET, r -> { });
        assertTrue(request.rawQuery().contains("%2B"), request.rawQuery());

        assertEquals("sagemaker", verifier.verify(request).service());
        assertSignatureDoesNotMatch(() -> verifier.verify(withQuery(request, request.rawQuery().replace("5", "6"))));
        assertSignatureDoesNotMatch(() -> verifier.verify(withPath(request, "/jobs/my%20job/run")));
    }

    @Test
    void acceptsAPathWithDotSegmentsAndHeaderValuesWithRunsOfWhitespace() {
        SdkHttpRequest request = jsonPost().toBuilder()
                .encodedPath("/endpoints/./my-endpoint/../my-endpoint/invocations")
                .putHeader("X-Amzn-SageMaker-Custom-Attributes", "  a=1;   b=2\t ")
                .putHeader("X-Amzn-SageMaker-Target-Model", List.of("first", " second  one "))
                .build();
        SignedRequest signed = signed(request, JSON, "sagemaker", NOW, SECRET, r -> { });

        assertEquals("sagemaker", verifier.verify(signed).service());
        assertSignatureDoesNotMatch(() -> verifier.verify(withPath(signed, "/endpoints/my-endpoint/invocations/..")));
        assertSignatureDoesNotMatch(() -> verifier.verify(withHeader(signed, "x-amzn-sagemaker-custom-attributes", "a=1;b=2")));
    }

    @Test
    void aCredentialScopeOfAnotherDayThanXAmzDateIsSignatureDoesNotMatch() {
        SignedRequest request = signed(jsonPost(), JSON, "logs", NOW, SECRET, r -> { });
        String authorization = request.headers().get("authorization").get(0);

        AwsException e = assertSignatureDoesNotMatch(() -> verifier.verify(withHeader(request, "authorization",
                authorization.replace("/20240501/", "/20240502/"))));
        assertTrue(e.getMessage().startsWith("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date"
                + " from HTTP: '20240502' != '20240501'"), e.getMessage());
    }

    @Test
    void requestsOfManyScopesAreAllCheckedWhileFewSigningKeysAreKept() {
        SignedRequest first = signed(jsonPost(), JSON, "logs", NOW, SECRET, r -> { });
        for (int i = 0; i < 100; i++) {
            String region = "local-" + i;
            SignedRequest request = signed(jsonPost(), JSON, "logs", NOW, SECRET,
                    r -> r.putProperty(AwsV4HttpSigner.REGION_NAME, region));

            assertEquals(region, verifier.verify(request).region());
            assertSignatureDoesNotMatch(() -> verifier.verify(withHeader(request, "authorization",
                    request.headers().get("authorization").get(0).replace(region, "other-" + region))));
        }

        assertEquals("us-east-1", verifier.verify(first).region());
    }

    @Test
    void anUnsignedPayloadLeavesTheBodyUncoveredButTheHeadersChecked() {
        SdkHttpRequest https = jsonPost().toBuilder().protocol("https").port(443).build();
        SignedRequest request = signed(https, JSON, "logs", NOW, SECRET,
                r -> r.putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false));
        assertEquals(List.of("UNSIGNED-PAYLOAD"), request.headers().get("x-amz-content-sha256"));

        verifier.verify(request);
        verifier.verify(withBody(request, "{}".getBytes(StandardCharsets.UTF_8)));
        assertSignatureDoesNotMatch(() -> verifier.verify(withHeader(request, "x-amz-target", "Logs_20140328.DeleteLogGroup")));
    }

    @Test
    void headersOutsideSignedHeadersDoNotCount() {
        SignedRequest request = signed(jsonPost(), JSON, "logs", NOW, SECRET, r -> { });
        request = withHeader(request, "connection", "Keep-Alive");
        request = withHeader(request, "x-forwarded-for", "10.0.0.1");

        verifier.verify(request);
        verifier.verify(withHeader(request, "user-agent", "something else"));
    }

    // ---- Requests captured from real SDK clients ----

    static Stream<Arguments> realClients() {
        return Stream.of(
                Arguments.of("logs", (Consumer<URI>) endpoint -> {
                    try (CloudWatchLogsClient logs = CloudWatchLogsClient.builder().endpointOverride(endpoint)
                            .region(Region.US_EAST_1).credentialsProvider(localCredentials())
                            .overrideConfiguration(SignatureVerifierTest::oneAttempt).build()) {
                        logs.describeLogGroups(r -> r.logGroupNamePrefix("training/"));
                    }
                }),
                Arguments.of("sts", (Consumer<URI>) endpoint -> {
                    try (StsClient sts = StsClient.builder().endpointOverride(endpoint)
                            .region(Region.US_EAST_1).credentialsProvider(localCredentials())
                            .overrideConfiguration(SignatureVerifierTest::oneAttempt).build()) {
                        sts.getCallerIdentity();
                    }
                }),
                Arguments.of("sagemaker", (Consumer<URI>) endpoint -> {
                    try (SageMakerClient sageMaker = SageMakerClient.builder().endpointOverride(endpoint)
                            .region(Region.EU_WEST_1).credentialsProvider(localCredentials())
                            .overrideConfiguration(SignatureVerifierTest::oneAttempt).build()) {
                        sageMaker.describeTrainingJob(r -> r.trainingJobName("job-1"));
                    }
                }),
                Arguments.of("monitoring", (Consumer<URI>) endpoint -> {
                    try (CloudWatchClient cloudWatch = CloudWatchClient.builder().endpointOverride(endpoint)
                            .region(Region.US_EAST_1).credentialsProvider(localCredentials())
                            .overrideConfiguration(SignatureVerifierTest::oneAttempt).build()) {
                        cloudWatch.putMetricData(r -> r.namespace("Stratus/Training")
                                .metricData(MetricDatum.builder().metricName("loss").value(0.25).build()));
                    }
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("realClients")
    void acceptsWhatARealClientSentAndNothingAltered(String service, Consumer<URI> call) throws IOException {
        SignedRequest sent = capture(call);
        SignatureVerifier verifier = new SignatureVerifier(KEY, SECRET);

        assertEquals(service, verifier.verify(sent).service());
        assertEquals(service, SignatureVerifier.Authorization.of(sent.headers()).scope().service());
        // The HTTP client adds headers after signing (User-Agent, Connection...): only SignedHeaders count.
        assertFalse(signedHeaders(sent).contains("user-agent"));
        verifier.verify(withHeader(sent, "user-agent", "another client"));

        byte[] body = sent.body().clone();
        body[body.length / 2] ^= 1;
        assertSignatureDoesNotMatch(() -> verifier.verify(withBody(sent, body)));
        assertSignatureDoesNotMatch(() -> verifier.verify(withHeader(sent, "host", "127.0.0.1:1")));
        assertSignatureDoesNotMatch(() -> verifier.verify(withHeader(sent, "x-amz-date",
                nextSecond(sent.headers().get("x-amz-date").get(0)))));
        assertSignatureDoesNotMatch(() -> new SignatureVerifier(KEY, "another-secret").verify(sent));
        assertError(403, "UnrecognizedClientException", () -> new SignatureVerifier("ANOTHERKEY", SECRET).verify(sent));
    }

    // ---- Each error ----

    @Test
    void noAuthorizationHeaderIsMissingAuthenticationToken() {
        SignedRequest request = withoutHeader(signed(jsonPost(), JSON, "logs", NOW, SECRET, r -> { }), "authorization");

        AwsException e = assertError(403, "MissingAuthenticationToken", () -> verifier.verify(request));
        assertTrue(e.getMessage().contains("./stratus local env"), e.getMessage());
        assertError(403, "MissingAuthenticationToken", () -> SignatureVerifier.Authorization.of(request.headers()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "AWS STRATUSLOCALKEYID:frJIUN8DYpKDtOLCwo//yllqDzg=",
            "AWS4-HMAC-SHA256 Credential=STRATUSLOCALKEYID/20240501/us-east-1/logs/aws4_request, SignedHeaders=host;x-amz-date",
            "AWS4-HMAC-SHA256 Credential=STRATUSLOCALKEYID/20240501/us-east-1/logs, SignedHeaders=host;x-amz-date, Signature="
                    + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "AWS4-HMAC-SHA256 Credential=STRATUSLOCALKEYID/2024-05-01/us-east-1/logs/aws4_request, SignedHeaders=host, "
                    + "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "AWS4-HMAC-SHA256 Credential=STRATUSLOCALKEYID/20240501/us-east-1/logs/aws4_request, SignedHeaders=host, "
                    + "Signature=not-hex",
            "AWS4-HMAC-SHA512 Credential=STRATUSLOCALKEYID/20240501/us-east-1/logs/aws4_request, SignedHeaders=host, "
                    + "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "AWS4-HMAC-SHA256 Credential=STRATUS KEY/20240501/us-east-1/logs/aws4_request, SignedHeaders=host, "
                    + "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "AWS4-HMAC-SHA256 Credential=STRATUSLOCALKEYID/20240501//logs/aws4_request, SignedHeaders=host, "
                    + "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "AWS4-HMAC-SHA256 Credential=STRATUSLOCALKEYID/20240501/us-east-1/logs/extra/aws4_request, SignedHeaders=host, "
                    + "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "AWS4-HMAC-SHA256 Credential=STRATUSLOCALKEYID/20240501/us-east-1/logs/aws4_request, SignedHeaders=, "
                    + "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "AWS4-HMAC-SHA256 Credential=STRATUSLOCALKEYID/20240501/us-east-1/logs/aws4_request, "
                    + "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, SignedHeaders=host",
            "AWS4-HMAC-SHA256 Credential=STRATUSLOCALKEYID/20240501/us-east-1/logs/aws4_request, SignedHeaders=host, "
                    + "Signature=0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
            "AWS4-HMAC-SHA256 Credential=STRATUSLOCALKEYID/20240501/us-east-1/logs/aws4_request, SignedHeaders=host, "
                    + "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
            "AWS4-HMAC-SHA256 Credential=STRATUSLOCALKEYID/20240501/us-east-1/logs/aws4_request, SignedHeaders=host, "
                    + "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, extra"})
    void aMalformedAuthorizationIsIncompleteSignature(String authorization) {
        SignedRequest request = withHeader(signed(jsonPost(), JSON, "logs", NOW, SECRET, r -> { }),
                "authorization", authorization);

        assertError(400, "IncompleteSignature", () -> verifier.verify(request));
        assertError(400, "IncompleteSignature", () -> SignatureVerifier.Authorization.of(request.headers()));
    }

    @Test
    void theSpacesAfterAnAuthorizationsCommasAreOptional() {
        String signature = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        SignatureVerifier.Authorization tight = SignatureVerifier.Authorization.parse("AWS4-HMAC-SHA256 Credential="
                + "STRATUSLOCALKEYID/20240501/eu-west-1/sagemaker/aws4_request,SignedHeaders=host;x-amz-date,Signature=" + signature);
        SignatureVerifier.Authorization loose = SignatureVerifier.Authorization.parse(" AWS4-HMAC-SHA256 Credential="
                + "STRATUSLOCALKEYID/20240501/eu-west-1/sagemaker/aws4_request, \tSignedHeaders=host;x-amz-date,  Signature="
                + signature + " ");

        assertEquals(new SignatureVerifier.Authorization(new CredentialScope("STRATUSLOCALKEYID", "20240501", "eu-west-1",
                "sagemaker"), "host;x-amz-date", signature), tight);
        assertEquals(tight, loose);
    }

    @Test
    void noOrAnUnreadableXAmzDateIsIncompleteSignature() {
        SignedRequest request = signed(jsonPost(), JSON, "logs", NOW, SECRET, r -> { });

        assertError(400, "IncompleteSignature", () -> verifier.verify(withoutHeader(request, "x-amz-date")));
        assertError(400, "IncompleteSignature", () -> verifier.verify(withHeader(request, "x-amz-date",
                "Wed, 01 May 2024 12:00:00 GMT")));
    }

    @Test
    void anUnknownAccessKeyIsUnrecognizedClient() {
        SignatureVerifier otherKey = new SignatureVerifier("ANOTHERKEY", SECRET, Clock.fixed(NOW, ZoneOffset.UTC));

        AwsException e = assertError(403, "UnrecognizedClientException",
                () -> otherKey.verify(signed(jsonPost(), JSON, "logs", NOW, SECRET, r -> { })));
        assertTrue(e.getMessage().contains("./stratus local env"), e.getMessage());
    }

    @Test
    void anotherSecretIsSignatureDoesNotMatch() {
        AwsException e = assertSignatureDoesNotMatch(
                () -> verifier.verify(signed(jsonPost(), JSON, "logs", NOW, "another-secret", r -> { })));
        assertEquals("The request signature we calculated does not match the signature you provided."
                + " Check your AWS Secret Access Key and signing method.", e.getMessage());
    }

    @Test
    void aSignedHeaderMissingFromTheRequestIsSignatureDoesNotMatch() {
        SignedRequest request = signed(jsonPost(), JSON, "logs", NOW, SECRET, r -> { });

        AwsException e = assertSignatureDoesNotMatch(() -> verifier.verify(withoutHeader(request, "x-amz-target")));
        assertTrue(e.getMessage().contains("x-amz-target"), e.getMessage());
    }

    @Test
    void signaturesOlderOrNewerThanFifteenMinutesAreInvalid() {
        Duration justOver = Duration.ofMinutes(15).plusSeconds(1);
        SignedRequest old = signed(jsonPost(), JSON, "logs", NOW.minus(justOver), SECRET, r -> { });
        SignedRequest early = signed(jsonPost(), JSON, "logs", NOW.plus(justOver), SECRET, r -> { });

        AwsException expired = assertError(403, "InvalidSignatureException", () -> verifier.verify(old));
        assertTrue(expired.getMessage().startsWith("Signature expired: 20240501T114459Z is now earlier than 20240501T114500Z"
                + " (20240501T120000Z - 15 min.)"), expired.getMessage());
        AwsException notYet = assertError(403, "InvalidSignatureException", () -> verifier.verify(early));
        assertTrue(notYet.getMessage().startsWith("Signature not yet current: 20240501T121501Z is still later than"
                + " 20240501T121500Z (20240501T120000Z + 15 min.)"), notYet.getMessage());

        verifier.verify(signed(jsonPost(), JSON, "logs", NOW.minus(Duration.ofMinutes(15)), SECRET, r -> { }));
        verifier.verify(signed(jsonPost(), JSON, "logs", NOW.plus(Duration.ofMinutes(15)), SECRET, r -> { }));
    }

    /**
     * Captured from botocore 1.43.11 (what the AWS CLI and boto3 use): outside S3 it does not sign x-amz-content-sha256,
     * which the SDK for Java always signs: the verifier covers exactly the headers SignedHeaders names, either way.
     */
    @Test
    void aBotocoreRequestIsVerified() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("host", List.of("localhost:4566"));
        headers.put("x-amz-target", List.of("Logs_20140328.DescribeLogGroups"));
        headers.put("content-type", List.of("application/x-amz-json-1.1"));
        headers.put("user-agent", List.of("Botocore/1.43.11 ua/2.1 os/linux#6.18.44-fc-v782 md/arch#x86_64"
                + " lang/python#3.11.7 md/pyimpl#CPython m/N,D,b,Z,e cfg/retry-mode#legacy"));
        headers.put("x-amz-date", List.of("20261129T194325Z"));
        headers.put("authorization", List.of("AWS4-HMAC-SHA256 Credential=STRATUSLOCALKEYID/20261129/us-east-1/logs/aws4_request,"
                + " SignedHeaders=content-type;host;x-amz-date;x-amz-target,"
                + " Signature=2ba797d3ef71d1d30ff11cb4cbc22e0bb395699c8c307b80b6233351756146b7"));
        headers.put("amz-sdk-invocation-id", List.of("94c6432d-6dfe-4cd8-837e-92f4a047fff8"));
        headers.put("amz-sdk-request", List.of("attempt=1"));
        headers.put("content-length", List.of("27"));
        SignedRequest botocore = new SignedRequest("POST", "/", null, headers,
                "{\"logGroupNamePrefix\": \"x\"}".getBytes(StandardCharsets.UTF_8));
        SignatureVerifier atCapture = new SignatureVerifier(KEY, SECRET,
                Clock.fixed(Instant.parse("2026-11-29T19:43:25Z"), ZoneOffset.UTC));

        assertEquals("logs", atCapture.verify(botocore).service());
        SignedRequest tampered = new SignedRequest("POST", "/", null, headers,
                "{\"logGroupNamePrefix\": \"y\"}".getBytes(StandardCharsets.UTF_8));
        assertSignatureDoesNotMatch(() -> atCapture.verify(tampered));
        assertSignatureDoesNotMatch(() -> new SignatureVerifier(KEY, "another-secret",
                Clock.fixed(Instant.parse("2026-11-29T19:43:25Z"), ZoneOffset.UTC)).verify(botocore));
    }

    @Test
    void authorizationIsReadWithoutCheckingTheSignature() {
        SignedRequest wronglySigned = signed(jsonPost(), JSON, "sagemaker", NOW, "another-secret", r -> { });

        assertEquals(new CredentialScope(KEY, "20240501", "us-east-1", "sagemaker"),
                SignatureVerifier.Authorization.of(wronglySigned.headers()).scope());
    }

    // ---- Helpers ----

    private static SdkHttpRequest jsonPost() {
        return SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(URI.create("http://localhost:4566/"))
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "Logs_20140328.DescribeLogGroups")
                .putHeader("Content-Length", String.valueOf(JSON.length))
                .build();
    }

    /** Signs as the SDK's clients sign for services other than S3: service, region and time, the rest left to defaults. */
    private static SignedRequest signed(SdkHttpRequest request, byte[] body, String service, Instant at, String secret,
            Consumer<SignRequest.Builder<AwsCredentialsIdentity>> moreProperties) {
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> {
            r.identity(AwsCredentialsIdentity.create(KEY, secret))
                    .request(request)
                    .payload(ContentStreamProvider.fromByteArray(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                    .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC));
            moreProperties.accept(r);
        }).request();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        signed.forEachHeader((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
        return new SignedRequest(signed.method().name(), signed.encodedPath(), signed.encodedQueryParameters().orElse(null),
                headers, body);
    }

    /** What one call of a real SDK client sent to a stand-in endpoint (which answers 400; the call's failure is ignored). */
    private static SignedRequest capture(Consumer<URI> call) throws IOException {
        AtomicReference<SignedRequest> sent = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
            URI uri = exchange.getRequestURI();
            sent.set(new SignedRequest(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(), headers,
                    exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(400, -1);
            exchange.close();
        });
        server.start();
        try {
            call.accept(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
        } catch (RuntimeException expected) {
            // The stand-in's answer is no service's; only the request matters.
        } finally {
            server.stop(0);
        }
        assertTrue(sent.get() != null, "the client sent nothing");
        return sent.get();
    }

    private static StaticCredentialsProvider localCredentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET));
    }

    private static void oneAttempt(ClientOverrideConfiguration.Builder configuration) {
        configuration.retryStrategy(retry -> retry.maxAttempts(1));
    }

    private static List<String> signedHeaders(SignedRequest request) {
        String authorization = request.headers().get("authorization").get(0);
        return List.of(authorization.replaceAll(".*SignedHeaders=([^,]+),.*", "$1").split(";"));
    }

    private static String nextSecond(String amzDate) {
        long seconds = Long.parseLong(amzDate.substring(13, 15));
        return amzDate.substring(0, 13) + String.format("%02d", (seconds + 1) % 60) + "Z";
    }

    private static SignedRequest withHeader(SignedRequest request, String name, String value) {
        Map<String, List<String>> headers = new LinkedHashMap<>(request.headers());
        headers.put(name, new ArrayList<>(List.of(value)));
        return new SignedRequest(request.method(), request.rawPath(), request.rawQuery(), headers, request.body());
    }

    private static SignedRequest withoutHeader(SignedRequest request, String name) {
        Map<String, List<String>> headers = new LinkedHashMap<>(request.headers());
        headers.remove(name);
        return new SignedRequest(request.method(), request.rawPath(), request.rawQuery(), headers, request.body());
    }

    private static SignedRequest withBody(SignedRequest request, byte[] body) {
        return new SignedRequest(request.method(), request.rawPath(), request.rawQuery(), request.headers(), body);
    }

    private static SignedRequest withPath(SignedRequest request, String rawPath) {
        return new SignedRequest(request.method(), rawPath, request.rawQuery(), request.headers(), request.body());
    }

    private static SignedRequest withQuery(SignedRequest request, String rawQuery) {
        return new SignedRequest(request.method(), request.rawPath(), rawQuery, request.headers(), request.body());
    }

    private static AwsException assertSignatureDoesNotMatch(Executable verification) {
        return assertError(403, "SignatureDoesNotMatch", verification);
    }

    private static AwsException assertError(int status, String code, Executable verification) {
        AwsException e = assertThrows(AwsException.class, verification);
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(status, e.status(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }
}
