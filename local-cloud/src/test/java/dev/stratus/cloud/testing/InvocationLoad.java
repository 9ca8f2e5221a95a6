package dev.stratus.cloud.testing;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.stratus.cloud.CloudHome;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

/**
 * A steady loop of InvokeEndpoint calls on its own thread, bounded in time and count, through a client that never
 * retries, so that every failure the endpoint answers is seen. Loopback only.
 */
public final class InvocationLoad implements AutoCloseable {

    private final SageMakerRuntimeClient client;
    private final Thread thread;
    private final List<String> answers = new CopyOnWriteArrayList<>();
    private final List<SdkException> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile boolean stopped;

    /** Starts invoking {@code endpoint} with a CSV {@code body} until closed, {@code limit} passes or {@code maxRequests} were made. */
    public InvocationLoad(URI cloud, CloudHome.Credentials credentials, String endpoint, String body, Duration limit, int maxRequests) {
        client = SageMakerRuntimeClient.builder().endpointOverride(cloud).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(credentials.accessKeyId(),
                        credentials.secretAccessKey())))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
        Instant deadline = Instant.now().plus(limit);
        thread = new Thread(() -> {
            while (!stopped && requests.get() < maxRequests && Instant.now().isBefore(deadline)) {
                try {
                    answers.add(client.invokeEndpoint(r -> r.endpointName(endpoint).contentType("text/csv")
                            .body(SdkBytes.fromUtf8String(body))).body().asUtf8String());
                } catch (SdkException e) {
                    failures.add(e);
                }
                requests.incrementAndGet();
                try {
                    Thread.sleep(3); // a steady stream, not a flood: the instances share two cores with everything else
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "invocation-load");
        thread.start();
    }

    /** Waits until {@code count} more requests have been made (or the loop ended). */
    public void awaitRequests(int count) throws InterruptedException {
        int target = requests.get() + count;
        while (requests.get() < target && thread.isAlive()) {
            Thread.sleep(5);
        }
    }

    public List<String> answers() {
        return answers;
    }

    public List<SdkException> failures() {
        return failures;
    }

    public int requests() {
        return requests.get();
    }

    /** Ends the loop after the request in flight; what it saw stays readable. */
    public void stop() throws InterruptedException {
        stopped = true;
        thread.join();
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }
}
