package dev.stratus.cloud.endpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stratus.cloud.state.ProcessRecord;
import dev.stratus.cloud.testing.LocalCloudFixture;
import dev.stratus.cloud.testing.ModelArchives;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Endpoints outlive the server: a new server on the same home starts their instances again, and ends instance
 * processes that a server which died left behind.
 */
class EndpointRestartTest {

    @TempDir
    Path home;
    private LocalCloudFixture cloud;
    private Process leftover;

    @AfterEach
    void stop() {
        if (cloud != null) {
            cloud.close();
        }
        if (leftover != null) {
            leftover.destroyForcibly();
        }
    }

    @Test
    void anEndpointServesAgainAfterARestart() throws Exception {
        cloud = new LocalCloudFixture(home);
        cloud.s3.createBucket(r -> r.bucket("models"));
        cloud.s3.putObject(r -> r.bucket("models").key("model.tar.gz"), RequestBody.fromBytes(ModelArchives.model(3, 1)));
        cloud.sagemaker.createModel(r -> r.modelName("lasting").executionRoleArn(LocalCloudFixture.ROLE).primaryContainer(c -> c
                .image(LocalCloudFixture.MODEL_SERVER_IMAGE).modelDataUrl("s3://models/model.tar.gz").environment(Map.of())));
        cloud.sagemaker.createEndpointConfig(r -> r.endpointConfigName("lasting").productionVariants(EndpointsTest.variant(
                "AllTraffic", "lasting", 1, 1)));
        cloud.sagemaker.createEndpoint(r -> r.endpointName("lasting").endpointConfigName("lasting"));
        assertEquals("InService", cloud.awaitEndpointSettled("lasting").endpointStatusAsString());
        assertEquals("7.0\n", invoke("1,1"));
        long before = Long.parseLong(invoke("pid"));

        cloud.close();
        assertFalse(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false), "instances stop with the server");
        // What a server killed with SIGKILL leaves: an instance process recorded in its runtime folder, still running.
        leftover = new ProcessBuilder("sleep", "60").start();
        Path record = Files.createDirectories(home.resolve("endpoints/gone/runtime/AllTraffic-1")).resolve("process");
        ProcessRecord.write(record, leftover.toHandle());

        cloud.start();
        Instant deadline = Instant.now().plusSeconds(30);
        String answer = null;
        while (answer == null && Instant.now().isBefore(deadline)) {
            try {
                answer = invoke("1,1");
            } catch (SdkServiceException notYet) {
                Thread.sleep(50);
            }
        }
        assertEquals("7.0\n", answer);
        assertNotEquals(before, Long.parseLong(invoke("pid")), "a new process serves");
        assertEquals("InService", cloud.sagemaker.describeEndpoint(r -> r.endpointName("lasting")).endpointStatusAsString());
        leftover.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(leftover.isAlive(), "the instance process a dead server left was ended");
    }

    private String invoke(String body) {
        return cloud.runtime.invokeEndpoint(r -> r.endpointName("lasting").contentType("text/csv").body(SdkBytes.fromUtf8String(body)))
                .body().asUtf8String();
    }
}
