package dev.stratus.cloud;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.endpoints.Endpoints;
import dev.stratus.cloud.endpoints.Models;
import dev.stratus.cloud.logs.LogsService;
import dev.stratus.cloud.metrics.MetricsService;
import dev.stratus.cloud.s3.S3Endpoint;
import dev.stratus.cloud.sagemaker.SageMakerService;
import dev.stratus.cloud.server.JsonRpc;
import dev.stratus.cloud.server.Router;
import dev.stratus.cloud.server.SignatureVerifier;
import dev.stratus.cloud.state.Database;
import dev.stratus.cloud.sts.StsService;
import dev.stratus.cloud.training.AlgorithmImages;
import dev.stratus.cloud.training.TrainingJobs;
import dev.stratus.cloud.training.TrainingRun;
import dev.stratus.cloud.transform.TransformJobs;

/**
 * Stratus's local cloud: S3, SageMaker, CloudWatch Logs, CloudWatch and STS on one loopback
 * endpoint, speaking AWS's wire protocols, so that the AWS SDKs and CLI work against it as they
 * are. State lives under its home and survives restarts.
 */
public final class LocalCloud implements AutoCloseable {

    /** The default port, documented in the README; LocalStack's 4566 is left free. */
    public static final int DEFAULT_PORT = 4599;
    public static final String DEFAULT_REGION = "us-east-1";
    private static final Logger LOG = Logger.getLogger(LocalCloud.class.getName());

    /**
     * How to start one: which home, port (0 picks a free one), region, the grace between SIGTERM and
     * SIGKILL, the folder of Stratus's built-in images (the algorithms module's build), if any, and how
     * long a new endpoint instance may take to answer GET /ping (SageMaker's 4 minutes by default).
     */
    public record Options(CloudHome home, int port, String region, Duration stopGrace, Optional<Path> builtInImages,
                          Duration endpointHealthTimeout) {
        public static Options defaults(CloudHome home) {
            return new Options(home, DEFAULT_PORT, DEFAULT_REGION, Duration.ofSeconds(120), Optional.empty(),
                    Endpoints.DEFAULT_HEALTH_TIMEOUT);
        }

        public Options withPort(int newPort) {
            return new Options(home, newPort, region, stopGrace, builtInImages, endpointHealthTimeout);
        }

        public Options withStopGrace(Duration grace) {
            return new Options(home, port, region, grace, builtInImages, endpointHealthTimeout);
        }

        public Options withBuiltInImages(Path folder) {
            return new Options(home, port, region, stopGrace, Optional.of(folder), endpointHealthTimeout);
        }

        public Options withEndpointHealthTimeout(Duration timeout) {
            return new Options(home, port, region, stopGrace, builtInImages, timeout);
        }
    }

    private final Options options;
    private final Server server;
    private final Database database;
    private final TrainingJobs trainingJobs;
    private final Endpoints endpoints;
    private final TransformJobs transformJobs;
    private final CloudHome.Credentials credentials;
    private final Instant started = Instant.now();
    private final int port;

    private LocalCloud(Options options) throws Exception {
        this.options = options;
        CloudHome home = options.home();
        credentials = home.credentials();
        Files.createDirectories(home.jobs());
        Files.createDirectories(home.images());
        database = new Database(home.database());
        S3Endpoint s3 = S3Endpoint.open(home.objects(), credentials.accessKeyId(), credentials.secretAccessKey());
        LogsService logs = new LogsService(database);
        MetricsService metrics = new MetricsService(database);

        server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        // Signatures cover header values byte for byte: Jetty's header cache must not rewrite "charset=utf-8" as "UTF-8".
        http.setHeaderCacheCaseSensitive(true);
        // S3 keys may hold characters (encoded slashes, "..") that Jetty's default URI checks refuse before S3Proxy sees them.
        http.setUriCompliance(UriCompliance.LEGACY);
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(options.port());
        server.addConnector(connector);
        // The port is known only once bound (port 0), and jobs need it to reach S3: bind first.
        connector.open();
        port = connector.getLocalPort();

        AlgorithmImages images = new AlgorithmImages(home.images(), options.builtInImages());
        TrainingRun.Environment environment = new TrainingRun.Environment(home, images, s3.blobStore(), logs, metrics,
                endpoint(), credentials, options.region(), options.stopGrace());
        trainingJobs = new TrainingJobs(database, new TrainingRun.Factory(environment), options.region());
        Models models = new Models(database, options.region());
        Endpoints.Environment containers = new Endpoints.Environment(home, images, s3.blobStore(), logs, metrics, endpoint(),
                credentials, options.region(), options.stopGrace(), options.endpointHealthTimeout());
        endpoints = new Endpoints(database, models, containers);
        transformJobs = new TransformJobs(database, models, containers);
        // SageMaker Runtime first: it shares the "sagemaker" signing name and takes the /endpoints/ paths.
        server.setHandler(new Router(s3,
                List.of(endpoints.runtime(), new SageMakerService(trainingJobs.operations(), models.operations(),
                        endpoints.operations(), transformJobs.operations()), logs, metrics, new StsService(credentials.accessKeyId())),
                new SignatureVerifier(credentials.accessKeyId(), credentials.secretAccessKey()),
                this::status));
        server.start();
        trainingJobs.resumeAfterRestart();
        endpoints.resumeAfterRestart();
        transformJobs.resumeAfterRestart();
    }

    public static LocalCloud start(Options options) throws Exception {
        return new LocalCloud(options);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public CloudHome.Credentials credentials() {
        return credentials;
    }

    public String region() {
        return options.region();
    }

    /** Port, uptime, job and endpoint counts, for {@code ./stratus local status}. */
    private String status() {
        ObjectNode status = JsonRpc.JSON.createObjectNode()
                .put("port", port)
                .put("home", options.home().root().toString())
                .put("uptimeSeconds", Duration.between(started, Instant.now()).toSeconds());
        ObjectNode jobs = status.putObject("trainingJobs");
        for (String state : List.of("InProgress", "Stopping", "Completed", "Failed", "Stopped")) {
            jobs.put(state, trainingJobs.count(state));
        }
        status.put("endpoints", endpoints.count());
        ObjectNode transforms = status.putObject("transformJobs");
        for (String state : List.of("InProgress", "Stopping", "Completed", "Failed", "Stopped")) {
            transforms.put(state, transformJobs.count(state));
        }
        return status.toString();
    }

    @Override
    public void close() {
        // Running jobs keep running: the next server re-attaches to them.
        trainingJobs.close();
        try {
            server.stop();
            // Endpoint instances stop with the server (their last output and metrics still reach the database);
            // the next server starts them again. Transform jobs stop too, and the next server records why.
            endpoints.close();
            transformJobs.close();
            database.close();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the local cloud: " + e.getMessage(), e);
        }
    }

    /**
     * {@code java dev.stratus.cloud.LocalCloud [--port N] [--home DIR] [--region R] [--stop-grace-seconds S] [--images DIR]
     * [--endpoint-health-timeout-seconds S]}
     */
    public static void main(String[] args) throws Exception {
        String home = null;
        int port = DEFAULT_PORT;
        String region = DEFAULT_REGION;
        Duration grace = Duration.ofSeconds(120);
        Optional<Path> images = Optional.empty();
        Duration healthTimeout = Endpoints.DEFAULT_HEALTH_TIMEOUT;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(require(value, "--port"));
                case "--home" -> home = require(value, "--home");
                case "--region" -> region = require(value, "--region");
                case "--stop-grace-seconds" -> grace = Duration.ofSeconds(Long.parseLong(require(value, "--stop-grace-seconds")));
                case "--images" -> images = Optional.of(Path.of(require(value, "--images")).toAbsolutePath());
                case "--endpoint-health-timeout-seconds" -> healthTimeout = Duration.ofSeconds(
                        Long.parseLong(require(value, "--endpoint-health-timeout-seconds")));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + ": see ./stratus local start --help");
            }
            i++;
        }
        LocalCloud cloud = start(new Options(CloudHome.resolve(home), port, region, grace, images, healthTimeout));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                cloud.close();
            } catch (IllegalStateException e) {
                LOG.warning(e.getMessage());
            }
        }));
        LOG.info("Stratus local cloud listening on " + cloud.endpoint() + ", home " + cloud.options.home().root());
        System.out.println("ready " + cloud.endpoint());
        cloud.server.join();
    }

    private static String require(String value, String option) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
