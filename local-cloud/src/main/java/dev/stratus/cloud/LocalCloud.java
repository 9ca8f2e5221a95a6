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

import dev.stratus.cloud.alarms.Alarms;
import dev.stratus.cloud.cloudwatch.CloudWatchService;
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
    /** CloudWatch evaluates high-resolution alarms every 10 seconds. */
    public static final Duration DEFAULT_ALARM_EVALUATION_INTERVAL = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(LocalCloud.class.getName());

    /**
     * How to start one: which home, port (0 picks a free one), region, the grace between SIGTERM and
     * SIGKILL, the folder of Stratus's built-in images (the algorithms module's build), if any, how
     * long a new endpoint instance may take to answer GET /ping (SageMaker's 4 minutes by default), and
     * the storage resolution of endpoint invocation metrics in seconds (SageMaker's 60, or 1 for alarms
     * with 10-, 20- or 30-second periods on them), and how often alarms are looked at (each is evaluated
     * once its period ends; a shorter interval only shortens the wait after that).
     */
    public record Options(CloudHome home, int port, String region, Duration stopGrace, Optional<Path> builtInImages,
                          Duration endpointHealthTimeout, int endpointMetricsResolution, Duration alarmEvaluationInterval) {
        public Options {
            if (endpointMetricsResolution != 1 && endpointMetricsResolution != 60) {
                throw new IllegalArgumentException("the endpoint metrics resolution is 60 (standard) or 1 (high resolution)"
                        + " seconds, as CloudWatch's StorageResolution, not " + endpointMetricsResolution);
            }
        }

        public static Options defaults(CloudHome home) {
            return new Options(home, DEFAULT_PORT, DEFAULT_REGION, Duration.ofSeconds(120), Optional.empty(),
                    Endpoints.DEFAULT_HEALTH_TIMEOUT, 60, DEFAULT_ALARM_EVALUATION_INTERVAL);
        }

        public Options withPort(int newPort) {
            return new Options(home, newPort, region, stopGrace, builtInImages, endpointHealthTimeout, endpointMetricsResolution,
                    alarmEvaluationInterval);
        }

        public Options withStopGrace(Duration grace) {
            return new Options(home, port, region, grace, builtInImages, endpointHealthTimeout, endpointMetricsResolution,
                    alarmEvaluationInterval);
        }

        public Options withBuiltInImages(Path folder) {
            return new Options(home, port, region, stopGrace, Optional.of(folder), endpointHealthTimeout,
                    endpointMetricsResolution, alarmEvaluationInterval);
        }

        public Options withEndpointHealthTimeout(Duration timeout) {
            return new Options(home, port, region, stopGrace, builtInImages, timeout, endpointMetricsResolution,
                    alarmEvaluationInterval);
        }

        public Options withEndpointMetricsResolution(int seconds) {
            return new Options(home, port, region, stopGrace, builtInImages, endpointHealthTimeout, seconds,
                    alarmEvaluationInterval);
        }

        public Options withAlarmEvaluationInterval(Duration interval) {
            return new Options(home, port, region, stopGrace, builtInImages, endpointHealthTimeout, endpointMetricsResolution,
                    interval);
        }
    }

    private final Options options;
    private final Server server;
    private final Database database;
    private final TrainingJobs trainingJobs;
    private final Endpoints endpoints;
    private final Alarms alarms;
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
        alarms = new Alarms(database, metrics, options.region(), options.alarmEvaluationInterval());

        server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        // Signatures cover header values byte for byte: Jetty's header caches must not rewrite "charset=utf-8" as "UTF-8".
        http.setHeaderCacheCaseSensitive(true);
        // No per-connection header cache: under InvokeEndpoint load it was cleared and refilled request after request,
        // about a sixth of the local cloud's CPU per request (profiled at concurrency 4).
        http.setHeaderCacheSize(0);
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
                credentials, options.region(), options.stopGrace(), options.endpointHealthTimeout(),
                options.endpointMetricsResolution());
        endpoints = new Endpoints(database, models, containers);
        transformJobs = new TransformJobs(database, models, containers);
        // SageMaker Runtime first: it shares the "sagemaker" signing name and takes the /endpoints/ paths.
        server.setHandler(new Router(s3,
                List.of(endpoints.runtime(), new SageMakerService(trainingJobs.operations(), models.operations(),
                        endpoints.operations(), transformJobs.operations()), logs,
                        new CloudWatchService(metrics.operations(), alarms.operations()), new StsService(credentials.accessKeyId())),
                new SignatureVerifier(credentials.accessKeyId(), credentials.secretAccessKey()),
                this::status));
        server.start();
        trainingJobs.resumeAfterRestart();
        endpoints.resumeAfterRestart();
        alarms.start();
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
            alarms.close();
            transformJobs.close();
            database.close();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the local cloud: " + e.getMessage(), e);
        }
    }

    /**
     * {@code java dev.stratus.cloud.LocalCloud [--port N] [--home DIR] [--region R] [--stop-grace-seconds S] [--images DIR]
     * [--endpoint-health-timeout-seconds S] [--endpoint-metrics-resolution-seconds 1|60] [--alarm-evaluation-seconds S]}
     */
    public static void main(String[] args) throws Exception {
        String home = null;
        int port = DEFAULT_PORT;
        String region = DEFAULT_REGION;
        Duration grace = Duration.ofSeconds(120);
        Optional<Path> images = Optional.empty();
        Duration healthTimeout = Endpoints.DEFAULT_HEALTH_TIMEOUT;
        int metricsResolution = 60;
        Duration alarmEvaluation = DEFAULT_ALARM_EVALUATION_INTERVAL;
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
                case "--endpoint-metrics-resolution-seconds" -> metricsResolution = Integer.parseInt(
                        require(value, "--endpoint-metrics-resolution-seconds"));
                case "--alarm-evaluation-seconds" -> alarmEvaluation = Duration.ofSeconds(
                        Long.parseLong(require(value, "--alarm-evaluation-seconds")));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + ": see ./stratus local start --help");
            }
            i++;
        }
        LocalCloud cloud = start(new Options(CloudHome.resolve(home), port, region, grace, images, healthTimeout,
                metricsResolution, alarmEvaluation));
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
