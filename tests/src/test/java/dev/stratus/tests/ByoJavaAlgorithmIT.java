package dev.stratus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stratus.algorithms.scriptmode.UserCodeFixture;
import dev.stratus.archives.TarGz;
import dev.stratus.cloud.testing.LocalCloudFixture;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.sagemaker.model.Channel;
import software.amazon.awssdk.services.sagemaker.model.DescribeEndpointResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ProductionVariant;

/**
 * Bring your own Java algorithm: a user's Trainer and InferenceHandler, compiled here against Stratus's API, travel
 * as SageMaker's script mode sends code (a .tar.gz in S3 named by sagemaker_submit_directory, the class by
 * sagemaker_program) and train and serve on the Stratus Java image of the local cloud, with its built images.
 */
class ByoJavaAlgorithmIT {

    /** The Stratus Java image as a user pushes it to their own registry, for the same notebook on SageMaker. */
    private static final String PUSHED_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/stratus-java:17";
    private static final String CODE = "s3://byo/code/sourcedir.tar.gz";

    /** Fits y = slope * x + intercept by least squares; serves it as the built-in algorithms serve rows of numbers. */
    private static final String LINE_FIT = """
            package com.example.line;

            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.util.ArrayList;
            import java.util.List;
            import java.util.Map;
            import java.util.stream.Stream;
            import dev.stratus.algorithms.Trainer;
            import dev.stratus.algorithms.TrainingContext;
            import dev.stratus.algorithms.serving.Predictions;
            import dev.stratus.algorithms.serving.RecordHandler;
            import dev.stratus.algorithms.serving.Records;

            public class LineFit extends RecordHandler implements Trainer {
                private double slope;
                private double intercept;

                public LineFit() {
                    super(List.of(Records.Format.CSV), List.of(Predictions.JSON, Predictions.CSV));
                }

                @Override
                public void train(TrainingContext context) throws Exception {
                    boolean fitIntercept = context.booleanHyperparameter("fit_intercept", true);
                    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
                    try (Stream<Path> files = Files.list(context.channel("train"))) {
                        for (Path file : files.toList()) {
                            for (String line : Files.readAllLines(file)) {
                                String[] cells = line.split(",");
                                double y = Double.parseDouble(cells[0]), x = Double.parseDouble(cells[1]);
                                n++; sx += x; sy += y; sxx += x * x; sxy += x * y;
                            }
                        }
                    }
                    slope = fitIntercept ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : sxy / sxx;
                    intercept = fitIntercept ? (sy - slope * sx) / n : 0;
                    System.out.println("fitted on " + (int) n + " rows: slope=" + slope + " intercept=" + intercept);
                    Files.writeString(context.modelDir().resolve("line.txt"), slope + "," + intercept);
                    Files.writeString(context.modelDir().resolve("seen.txt"), context.hyperparameters().keySet() + " "
                            + context.environment().get("SM_HPS") + " " + context.environment().get("SM_USER_ARGS") + " "
                            + context.environment().get("SM_USER_ENTRY_POINT") + " " + context.environment().get("SM_MODULE_DIR"));
                }

                @Override
                public void load(Path modelDir) throws Exception {
                    String[] line = Files.readString(modelDir.resolve("line.txt")).split(",");
                    slope = Double.parseDouble(line[0]);
                    intercept = Double.parseDouble(line[1]);
                }

                @Override
                protected int features() {
                    return 1;
                }

                @Override
                protected boolean missingValuesAllowed() {
                    return false;
                }

                @Override
                protected List<Map<String, Object>> predict(float[] cells, int rows) {
                    List<Map<String, Object>> predictions = new ArrayList<>();
                    for (float x : cells) {
                        predictions.add(Map.of("score", slope * x + intercept));
                    }
                    return predictions;
                }
            }
            """;

    @TempDir
    static Path home;
    @TempDir
    static Path work;
    static LocalCloudFixture cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = LocalCloudFixture.withBuiltInImages(home, Jupyter.repoRoot().resolve("algorithms/target/images"));
        cloud.s3.createBucket(r -> r.bucket("byo"));
        byte[] jar = UserCodeFixture.jar(Map.of("com.example.line.LineFit", LINE_FIT));
        cloud.s3.putObject(r -> r.bucket("byo").key("code/sourcedir.tar.gz"),
                RequestBody.fromBytes(UserCodeFixture.tarGz(Map.of("line-fit.jar", jar))));
        StringBuilder rows = new StringBuilder();
        for (int x = 0; x < 20; x++) {
            rows.append(2 * x + 1).append(',').append(x).append('\n');
        }
        cloud.s3.putObject(r -> r.bucket("byo").key("train/rows.csv"), RequestBody.fromString(rows.toString()));
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    private static void train(String name, Map<String, String> hyperparameters) {
        cloud.sagemaker.createTrainingJob(r -> r.trainingJobName(name).roleArn(LocalCloudFixture.ROLE)
                .algorithmSpecification(a -> a.trainingImage("stratus/java:17").trainingInputMode("File"))
                .hyperParameters(hyperparameters)
                .inputDataConfig(Channel.builder().channelName("train").dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix")
                        .s3Uri("s3://byo/train/"))).build())
                .outputDataConfig(o -> o.s3OutputPath("s3://byo/output"))
                .resourceConfig(c -> c.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(1))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(600)));
    }

    /** Deploys one instance of a model of the Stratus Java image; {@code modelDataUrl} may be null, for a model without one. */
    private static DescribeEndpointResponse deploy(String name, String modelDataUrl, Map<String, String> environment)
            throws InterruptedException {
        cloud.sagemaker.createModel(r -> r.modelName(name).executionRoleArn(LocalCloudFixture.ROLE)
                .primaryContainer(c -> c.image(PUSHED_IMAGE).modelDataUrl(modelDataUrl).environment(environment)));
        cloud.sagemaker.createEndpointConfig(r -> r.endpointConfigName(name).productionVariants(ProductionVariant.builder()
                .variantName("AllTraffic").modelName(name).initialInstanceCount(1).instanceType("ml.m5.large").build()));
        cloud.sagemaker.createEndpoint(r -> r.endpointName(name).endpointConfigName(name));
        return cloud.awaitEndpointSettled(name);
    }

    @Test
    void aUsersJavaAlgorithmTrainsAndServes() throws Exception {
        // JSON-quoted, as the SageMaker Python SDK sends the platform's hyperparameters.
        train("line-fit", Map.of("sagemaker_submit_directory", "\"" + CODE + "\"", "sagemaker_program", "\"com.example.line.LineFit\"",
                "fit_intercept", "true"));
        DescribeTrainingJobResponse job = cloud.awaitEnd("line-fit");
        assertEquals("Completed", job.trainingJobStatusAsString(), job.failureReason());

        Path model = Files.createDirectories(work.resolve("model"));
        Path archive = Files.write(work.resolve("model.tar.gz"),
                cloud.s3.getObjectAsBytes(r -> r.bucket("byo").key("output/line-fit/output/model.tar.gz")).asByteArray());
        TarGz.unpack(archive, model, "model folder");
        assertEquals("2.0,1.0", Files.readString(model.resolve("line.txt")));
        assertEquals("[fit_intercept] {\"fit_intercept\":\"true\"} [\"--fit_intercept\",\"true\"] com.example.line.LineFit " + CODE,
                Files.readString(model.resolve("seen.txt")), "the platform's sagemaker_* hyperparameters are not the algorithm's,"
                        + " and the training toolkit's variables say where the script came from");

        DescribeEndpointResponse endpoint = deploy("line-fit", job.modelArtifacts().s3ModelArtifacts(),
                Map.of("SAGEMAKER_SUBMIT_DIRECTORY", CODE, "SAGEMAKER_PROGRAM", "com.example.line.LineFit"));
        assertEquals("InService", endpoint.endpointStatusAsString(), endpoint.failureReason());
        String answer = cloud.runtime.invokeEndpoint(r -> r.endpointName("line-fit").contentType("text/csv")
                .accept("application/json").body(SdkBytes.fromUtf8String("3\n10\n"))).body().asUtf8String();
        assertEquals("{\"predictions\":[{\"score\":7.0},{\"score\":21.0}]}", answer);
    }

    @Test
    void codeThatCannotBeHadFailsTheJobOrTheEndpointWithOneLine() throws Exception {
        train("no-code", Map.of("sagemaker_submit_directory", "s3://byo/code/missing.tar.gz",
                "sagemaker_program", "com.example.line.LineFit"));
        assertEquals("ClientError: sagemaker_submit_directory s3://byo/code/missing.tar.gz cannot be downloaded: there is no"
                + " object at that URI: upload the .tar.gz there, or fix sagemaker_submit_directory", cloud.awaitEnd("no-code").failureReason());

        String reason = deploy("no-program", null, Map.of("SAGEMAKER_SUBMIT_DIRECTORY", CODE)).failureReason();
        assertTrue(reason.endsWith("last output: 'The model server could not start: ClientError: Missing model Environment variable"
                + " SAGEMAKER_PROGRAM: set it to the name of your class that implements"
                + " dev.stratus.algorithms.serving.InferenceHandler, package included': see CloudWatch Logs group"
                + " /aws/sagemaker/Endpoints/no-program"), reason);
    }
}
