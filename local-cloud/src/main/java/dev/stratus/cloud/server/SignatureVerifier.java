package dev.stratus.cloud.server;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks the AWS Signature Version 4 of a request to the local endpoint against the one local credential pair.
 *
 * <p>The signature is computed as AWS's documentation defines it for every service but S3 (whose requests S3Proxy
 * checks): the canonical request (method, the path normalized and its encoding encoded again, the sorted query, exactly
 * the headers {@code SignedHeaders} names, the payload's SHA-256 or {@code UNSIGNED-PAYLOAD}), its hash in the string to
 * sign with the instant {@code X-Amz-Date} gives, and an HMAC chain from the secret; the two signatures are compared in
 * constant time. So requests of the AWS SDK for Java (which signs {@code x-amz-content-sha256}) and of botocore (the AWS
 * CLI, boto3: which does not outside S3) are checked alike. Re-signing each request with the SDK's own signer took a
 * quarter of the local cloud's CPU under InvokeEndpoint load; that signer is the reference the tests check against.
 *
 * <p>An unknown access key id is reported as {@code UnrecognizedClientException}, as the awsJson services (SageMaker,
 * CloudWatch Logs) say; awsQuery services (STS, CloudWatch's query protocol) say {@code InvalidClientTokenId} with the same
 * status, and mapping the code is left to the caller, which knows the protocol.
 */
public final class SignatureVerifier {

    /** How far X-Amz-Date may be from now, either way, as on AWS. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(15);

    private static final String CREDENTIAL = "AWS4-HMAC-SHA256 Credential=";
    private static final String SIGNED_HEADERS = "SignedHeaders=";
    private static final String SIGNATURE = "Signature=";
    private static final String AUTHORIZATION_FORM = "'AWS4-HMAC-SHA256 Credential=<access key id>/<yyyyMMdd>/<region>"
            + "/<service>/aws4_request, SignedHeaders=<a;b;c>, Signature=<64 hex digits>'";
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final String HMAC = "HmacSHA256";
    private static final ThreadLocal<Mac> MAC = perThread(Mac::getInstance, HMAC);
    private static final ThreadLocal<MessageDigest> SHA_256 = perThread(MessageDigest::getInstance, "SHA-256");
    /** Signing keys kept at most: a day has a few scopes, and requests claiming made-up ones must not grow the cache. */
    private static final int MAX_SIGNING_KEYS = 64;
    private static final HexFormat HEX = HexFormat.of();
    private static final HexFormat PERCENT_HEX = HexFormat.of().withUpperCase();
    private static final String MISMATCH = "The request signature we calculated does not match the signature you provided."
            + " Check your AWS Secret Access Key and signing method.";

    private final String accessKeyId;
    private final String secretAccessKey;
    private final Clock clock;
    /** Signing keys by credential scope (day/region/service): deriving one takes four HMACs, and a day has few scopes. */
    private final Map<String, byte[]> signingKeys = new ConcurrentHashMap<>();
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
        this.secretAccessKey = secretAccessKey;
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
        String amzDate = first(request.headers(), "x-amz-date");
        if (!amzDate.startsWith(claimed.scope().date())) {
            throw new AwsException(403, "SignatureDoesNotMatch", "Date in Credential scope does not match YYYYMMDD from"
                    + " ISO-8601 version of date from HTTP: '" + claimed.scope().date() + "' != '" + amzDate.substring(0, 8)
                    + "', from '" + amzDate + "'.");
        }
        String expected = signature(request, claimed, amzDate);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                claimed.signature().getBytes(StandardCharsets.US_ASCII))) {
            throw new AwsException(403, "SignatureDoesNotMatch", MISMATCH);
        }
        return claimed.scope();
    }

    /** The signature of the request with the local secret, for the scope it claims. */
    private String signature(SignedRequest request, Authorization claimed, String amzDate) {
        String canonicalRequest = request.method() + '\n'
                + canonicalUri(request.rawPath()) + '\n'
                + canonicalQuery(request.rawQuery()) + '\n'
                + canonicalHeaders(request.headers(), claimed.signedHeaders()) + '\n'
                + claimed.signedHeaders() + '\n'
                + payloadHash(request);
        String scope = claimed.scope().date() + '/' + claimed.scope().region() + '/' + claimed.scope().service() + "/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + '\n' + scope + '\n' + HEX.formatHex(sha256(utf8(canonicalRequest)));
        byte[] key = signingKeys.get(scope);
        if (key == null) {
            key = signingKey(scope);
            if (signingKeys.size() >= MAX_SIGNING_KEYS) {
                signingKeys.clear();
            }
            signingKeys.put(scope, key);
        }
        return HEX.formatHex(hmac(key, stringToSign));
    }

    /** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request"). */
    private byte[] signingKey(String scope) {
        byte[] key = utf8("AWS4" + secretAccessKey);
        for (String part : scope.split("/")) {
            key = hmac(key, part);
        }
        return key;
    }

    /** The path normalized (no "." or ".." segments) and, as for every service but S3, its percent-encoding encoded again. */
    private static String canonicalUri(String rawPath) {
        String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        if (path.contains("/.")) {
            try {
                path = URI.create(path).normalize().getRawPath();
            } catch (IllegalArgumentException unreadable) {
                // A path no client could have signed as it arrived.
                throw new AwsException(403, "SignatureDoesNotMatch", MISMATCH + " (" + unreadable.getMessage() + ")");
            }
        }
        return encode(path, true);
    }

    /**
     * Parameters decoded as sent ('+' reads as a space, as in form encoding: SDKs send a '+' as %2B), encoded again
     * SigV4's way, sorted by name and then by value.
     */
    private static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        Map<String, List<String>> parameters = new TreeMap<>();
        for (String parameter : rawQuery.split("&")) {
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            String value = equals < 0 ? "" : parameter.substring(equals + 1);
            parameters.computeIfAbsent(encode(URLDecoder.decode(name, StandardCharsets.UTF_8), false), n -> new ArrayList<>())
                    .add(encode(URLDecoder.decode(value, StandardCharsets.UTF_8), false));
        }
        StringBuilder query = new StringBuilder();
        parameters.forEach((name, values) -> values.stream().sorted().forEach(value ->
                query.append(query.isEmpty() ? "" : "&").append(name).append('=').append(value)));
        return query.toString();
    }

    /**
     * The headers SignedHeaders names, in its order (clients list them sorted, as they signed them): "name:value\n", a
     * header's values joined by commas, each trimmed and its runs of whitespace made one space.
     */
    private static String canonicalHeaders(Map<String, List<String>> headers, String signedHeaders) {
        StringBuilder canonical = new StringBuilder(256);
        for (String name : signedHeaders.split(";")) {
            List<String> values = headers.get(name);
            if (values == null) {
                throw new AwsException(403, "SignatureDoesNotMatch", MISMATCH + " (SignedHeaders names '" + name
                        + "', which the request does not have)");
            }
            canonical.append(name).append(':');
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    canonical.append(',');
                }
                appendTrimmed(canonical, values.get(i));
            }
            canonical.append('\n');
        }
        return canonical.toString();
    }

    private static void appendTrimmed(StringBuilder canonical, String value) {
        boolean space = false;
        int start = canonical.length();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (isSpace(c)) {
                space = canonical.length() > start;
            } else {
                if (space) {
                    canonical.append(' ');
                    space = false;
                }
                canonical.append(c);
            }
        }
    }

    /** Whitespace, as the regex {@code \s} reads it: trimmed from header values, skipped in the Authorization header. */
    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /**
     * UNSIGNED-PAYLOAD where the client says it signed that (the header itself is covered when signed), otherwise the
     * body's SHA-256: a body altered on the way, or a wrong x-amz-content-sha256, then signs another string.
     */
    private static String payloadHash(SignedRequest request) {
        return UNSIGNED_PAYLOAD.equals(first(request.headers(), "x-amz-content-sha256"))
                ? UNSIGNED_PAYLOAD
                : HEX.formatHex(sha256(request.body()));
    }

    /** SigV4's URI encoding: every byte of the UTF-8 form but letters, digits and "-._~" as %XY (and '/' kept in paths). */
    private static String encode(String text, boolean path) {
        StringBuilder encoded = new StringBuilder(text.length() + 16);
        for (byte octet : utf8(text)) {
            char c = (char) (octet & 0xff);
            boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || (path && c == '/');
            if (unreserved) {
                encoded.append(c);
            } else {
                encoded.append('%').append(PERCENT_HEX.toHexDigits(octet));
            }
        }
        return encoded.toString();
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = MAC.get();
            mac.init(new SecretKeySpec(key, HMAC));
            return mac.doFinal(utf8(data));
        } catch (GeneralSecurityException badKey) {
            throw new IllegalStateException("an HMAC key of " + key.length + " bytes was refused", badKey);
        }
    }

    private static byte[] sha256(byte[] data) {
        return SHA_256.get().digest(data);
    }

    /** One per thread: looking the algorithm up among the JVM's providers was half an HMAC's time on every request. */
    private static <T> ThreadLocal<T> perThread(Algorithm<T> algorithm, String name) {
        return ThreadLocal.withInitial(() -> {
            try {
                return algorithm.getInstance(name);
            } catch (GeneralSecurityException missing) {
                throw new IllegalStateException("this JVM has no " + name, missing);
            }
        });
    }

    private interface Algorithm<T> {
        T getInstance(String name) throws GeneralSecurityException;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
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

        /**
         * Reads {@code AWS4-HMAC-SHA256 Credential=<key>/<yyyyMMdd>/<region>/<service>/aws4_request, SignedHeaders=<names>,
         * Signature=<64 hex digits>} (spaces after the commas optional). Read by hand, not by a regex: this runs on every
         * request, and the regex was 5% of the local cloud's samples under InvokeEndpoint load.
         */
        static Authorization parse(String header) {
            String text = header.trim();
            int credentialEnd = text.indexOf(',');
            if (!text.startsWith(CREDENTIAL) || credentialEnd < 0) {
                throw incomplete();
            }
            String[] scope = text.substring(CREDENTIAL.length(), credentialEnd).split("/", -1);
            if (scope.length != 5 || !scope[4].equals("aws4_request") || !isToken(scope[0]) || !isDate(scope[1])
                    || !isToken(scope[2]) || !isToken(scope[3])) {
                throw incomplete();
            }
            int at = skipSpaces(text, credentialEnd + 1);
            int namesEnd = text.indexOf(',', at);
            if (!text.startsWith(SIGNED_HEADERS, at) || namesEnd < 0) {
                throw incomplete();
            }
            String signedHeaders = text.substring(at + SIGNED_HEADERS.length(), namesEnd);
            at = skipSpaces(text, namesEnd + 1);
            if (!isToken(signedHeaders) || !text.startsWith(SIGNATURE, at)) {
                throw incomplete();
            }
            String signature = text.substring(at + SIGNATURE.length());
            if (!isLowerHex(signature, 64)) {
                throw incomplete();
            }
            return new Authorization(new CredentialScope(scope[0], scope[1], scope[2], scope[3]), signedHeaders, signature);
        }

        private static AwsException incomplete() {
            return new AwsException(400, "IncompleteSignature", "Authorization header is not an AWS Signature Version 4 of"
                    + " the form " + AUTHORIZATION_FORM + ": sign requests with an AWS SDK and the local credentials"
                    + " (./stratus local env)");
        }

        private static int skipSpaces(String text, int from) {
            int at = from;
            while (at < text.length() && isSpace(text.charAt(at))) {
                at++;
            }
            return at;
        }

        /** Not empty, and without spaces (nor, as split, '/' or ','). */
        private static boolean isToken(String part) {
            return !part.isEmpty() && every(part, c -> !isSpace(c));
        }

        private static boolean isDate(String part) {
            return part.length() == 8 && every(part, Authorization::isDigit);
        }

        private static boolean isLowerHex(String part, int length) {
            return part.length() == length && every(part, c -> isDigit(c) || (c >= 'a' && c <= 'f'));
        }

        private static boolean isDigit(int c) {
            return c >= '0' && c <= '9';
        }

        private static boolean every(String part, IntPredicate allowed) {
            for (int i = 0; i < part.length(); i++) {
                if (!allowed.test(part.charAt(i))) {
                    return false;
                }
            }
            return true;
        }
    }
}
