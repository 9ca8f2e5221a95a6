package dev.stratus.tests.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

import dev.stratus.algorithms.serving.InferenceRequest;
import dev.stratus.algorithms.xgboost.XGBoostInference;
import dev.stratus.tests.XGBoostModels;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogStream;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.EndpointStatus;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

/**
 * Single-record CSV requests to one XGBoost model, three ways, at a fixed concurrency: through
 * InvokeEndpoint (AWS SDK -> local cloud -> endpoint instance), posted straight to the instance's
 * /invocations, and the handler called in this process. Modes take turns in each round; the report
 * gives, per mode, the median over rounds of throughput, p50 and p99.
 *
 * <p>Run by bench/serving.sh, with the local cloud's settings (./stratus local env) in the environment.
 * Arguments: concurrency, seconds per mode and round, rounds.
 */
public final class ServingBench {

    private static final String IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";
    private static final int FEATURES = 20;
    private static final int WARM_UP_SLICE_SECONDS = 5;
    private static final int MIN_WARM_UP_SECONDS = 60;
    private static final int MAX_WARM_UP_SECONDS = 300;
    private static final Pattern LISTENING = Pattern.compile("Model server listening on 127\\.0\\.0\\.1:([0-9]+)");

    private ServingBench() {
    }

    /** One request: returns the answer's body, which must hold one score. */
    @FunctionalInterface
    private interface Call {
        String call(String record) throws Exception;
    }

    private record Result(double perSecond, double p50Millis, double p99Millis) {
    }

    public static void main(String[] args) throws Exception {
        int concurrency = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        URI endpoint = URI.create(System.getenv("AWS_ENDPOINT_URL"));
        Path work = Files.createTempDirectory("serving-bench");
        Path modelDir = Files.createDirectories(work.resolve("model"));
        XGBoostModels.train(modelDir, FEATURES);

        try (S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(EnvironmentVariableCredentialsProvider.create()).build();
             SageMakerClient sagemaker = SageMakerClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                     .credentialsProvider(EnvironmentVariableCredentialsProvider.create()).build();
             CloudWatchLogsClient logs = CloudWatchLogsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                     .credentialsProvider(EnvironmentVariableCredentialsProvider.create()).build();
             SageMakerRuntimeClient runtime = SageMakerRuntimeClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                     .credentialsProvider(EnvironmentVariableCredentialsProvider.create())
                     .httpClientBuilder(ApacheHttpClient.builder().maxConnections(concurrency * 2)).build()) {
            s3.createBucket(b -> b.bucket("serving-bench"));
            s3.putObject(p -> p.bucket("serving-bench").key("model.tar.gz"), RequestBody.fromBytes(XGBoostModels.tarGz(modelDir)));
            sagemaker.createModel(m -> m.modelName("bench").executionRoleArn("arn:aws:iam::000000000000:role/SageMakerRole")
                    .primaryContainer(c -> c.image(IMAGE).modelDataUrl("s3://serving-bench/model.tar.gz")));
            sagemaker.createEndpointConfig(c -> c.endpointConfigName("bench").productionVariants(v -> v.variantName("AllTraffic")
                    .modelName("bench").initialInstanceCount(1).instanceType("ml.m5.large").initialVariantWeight(1f)));
            sagemaker.createEndpoint(e -> e.endpointName("bench").endpointConfigName("bench"));
            Instant deadline = Instant.now().plusSeconds(120);
            while (sagemaker.describeEndpoint(d -> d.endpointName("bench")).endpointStatus() != EndpointStatus.IN_SERVICE) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("the endpoint did not come into service");
                }
                Thread.sleep(100);
            }
            URI direct = URI.create("http://127.0.0.1:" + instancePort(logs) + "/invocations");
            // The HTTP client the SDK's runtime client uses too, so that the difference is the endpoint's.
            CloseableHttpClient http = HttpClients.custom().setMaxConnPerRoute(concurrency * 2).setMaxConnTotal(concurrency * 2).build();
            XGBoostInference inProcess = new XGBoostInference();
            inProcess.load(modelDir);

            Map<String, Call> modes = new LinkedHashMap<>();
            modes.put("InvokeEndpoint", record -> runtime.invokeEndpoint(r -> r.endpointName("bench").contentType("text/csv")
                    .body(SdkBytes.fromUtf8String(record))).body().asUtf8String());
            modes.put("direct /invocations", record -> {
                HttpPost post = new HttpPost(direct);
                post.setEntity(new StringEntity(record, ContentType.create("text/csv")));
                return http.execute(post, response -> EntityUtils.toString(response.getEntity()));
            });
            modes.put("in-process handler", record -> inProcess.invoke(InferenceRequest.of(record, "text/csv", null)).text());

            List<String> records = records(1000);
            System.out.printf(Locale.ROOT, "serving bench: XGBoost, %d features, single-record text/csv, concurrency %d, %d s x %d rounds%n",
                    FEATURES, concurrency, seconds, rounds);
            for (Map.Entry<String, Call> mode : modes.entrySet()) {
                warmUp(mode.getKey(), mode.getValue(), records, concurrency);
            }
            Map<String, List<Result>> results = new HashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, Call> mode : modes.entrySet()) {
                    results.computeIfAbsent(mode.getKey(), k -> new ArrayList<>()).add(measure(mode.getValue(), records, concurrency, seconds));
                }
            }
            System.out.printf(Locale.ROOT, "%-22s %12s %10s %10s%n", "mode", "requests/s", "p50 ms", "p99 ms");
            Map<String, Result> medians = new HashMap<>();
            for (String mode : modes.keySet()) {
                List<Result> runs = results.get(mode);
                Result median = new Result(median(runs.stream().mapToDouble(Result::perSecond).toArray()),
                        median(runs.stream().mapToDouble(Result::p50Millis).toArray()),
                        median(runs.stream().mapToDouble(Result::p99Millis).toArray()));
                medians.put(mode, median);
                System.out.printf(Locale.ROOT, "%-22s %12.0f %10.3f %10.3f%n", mode, median.perSecond(), median.p50Millis(), median.p99Millis());
            }
            Result invoke = medians.get("InvokeEndpoint");
            Result post = medians.get("direct /invocations");
            System.out.printf(Locale.ROOT, "endpoint adds at p50: %.3f ms (target < 1 ms); InvokeEndpoint throughput: %.0f/s (target >= 1000/s)%n",
                    invoke.p50Millis() - post.p50Millis(), invoke.perSecond());
            sagemaker.deleteEndpoint(d -> d.endpointName("bench"));
            http.close();
        }
    }

    /** The endpoint instance's port, from the line its model server logs to CloudWatch Logs when it starts. */
    private static int instancePort(CloudWatchLogsClient logs) throws InterruptedException {
        String group = "/aws/sagemaker/Endpoints/bench";
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            List<LogStream> streams;
            try {
                streams = logs.describeLogStreams(d -> d.logGroupName(group)).logStreams();
            } catch (ResourceNotFoundException notYet) {
                streams = List.of(); // the instance's first lines are not shipped yet
            }
            for (LogStream stream : streams) {
                for (OutputLogEvent event : logs.getLogEvents(g -> g.logGroupName(group).logStreamName(stream.logStreamName())
                        .startFromHead(true)).events()) {
                    Matcher listening = LISTENING.matcher(event.message());
                    if (listening.find()) {
                        return Integer.parseInt(listening.group(1));
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no 'Model server listening' line in " + group);
    }

    private static List<String> records(int count) {
        Random random = new Random(2);
        List<String> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder record = new StringBuilder();
            for (int j = 0; j < FEATURES; j++) {
                record.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", random.nextFloat()));
            }
            records.add(record.toString());
        }
        return records;
    }

    /**
     * Calls in slices of {@link #WARM_UP_SLICE_SECONDS} for at least {@link #MIN_WARM_UP_SECONDS}, then until the last
     * three slices' throughput is no more than 5% above the three before (at most {@link #MAX_WARM_UP_SECONDS}), as JMH
     * warms up before it measures: on two shared cores the JIT takes minutes to compile the local cloud's request path
     * (Jetty, the signature check, the HTTP client), and three JVMs share the cores.
     */
    private static void warmUp(String mode, Call call, List<String> records, int concurrency) throws Exception {
        List<Double> slices = new ArrayList<>();
        for (int elapsed = 0; elapsed < MAX_WARM_UP_SECONDS; elapsed += WARM_UP_SLICE_SECONDS) {
            slices.add(measure(call, records, concurrency, WARM_UP_SLICE_SECONDS).perSecond());
            int n = slices.size();
            if (elapsed + WARM_UP_SLICE_SECONDS >= MIN_WARM_UP_SECONDS
                    && mean(slices.subList(n - 3, n)) <= 1.05 * mean(slices.subList(n - 6, n - 3))) {
                break;
            }
        }
        System.out.printf(Locale.ROOT, "warm-up %-22s requests/s per %d s slice: %s%n", mode, WARM_UP_SLICE_SECONDS,
                slices.stream().map(perSecond -> String.format(Locale.ROOT, "%.0f", perSecond)).collect(Collectors.joining(", ")));
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    /** {@code concurrency} callers, each calling in a loop for {@code seconds}; every answer is checked to hold a score. */
    private static Result measure(Call call, List<String> records, int concurrency, int seconds) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(concurrency);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Future<long[]>> latencies = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            int caller = t;
            latencies.add(callers.submit(() -> {
                long[] samples = new long[1 << 16];
                int n = 0;
                for (int i = caller; System.nanoTime() < end; i += concurrency) {
                    long start = System.nanoTime();
                    String answer = call.call(records.get(i % records.size()));
                    long took = System.nanoTime() - start;
                    Float.parseFloat(answer.strip());
                    if (n == samples.length) {
                        samples = Arrays.copyOf(samples, n * 2);
                    }
                    samples[n++] = took;
                }
                return Arrays.copyOf(samples, n);
            }));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> caller : latencies) {
            all.add(caller.get());
        }
        callers.shutdown();
        long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(merged.length / (double) seconds, merged[merged.length / 2] / 1e6,
                merged[(int) Math.min(merged.length - 1, Math.round(merged.length * 0.99))] / 1e6);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
