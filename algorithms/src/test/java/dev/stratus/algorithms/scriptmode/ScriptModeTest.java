package dev.stratus.algorithms.scriptmode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.ContainerFixture;
import dev.stratus.algorithms.TrainingMain;
import dev.stratus.algorithms.serving.InferenceRequest;

/** The script-mode launcher with a user's jar compiled here, from folders and archives on disk (S3 is the local cloud's test). */
class ScriptModeTest {

    private static final String ECHO = """
            package com.example;

            import java.nio.file.Files;
            import java.nio.file.Path;
            import dev.stratus.algorithms.Trainer;
            import dev.stratus.algorithms.TrainingContext;
            import dev.stratus.algorithms.serving.InferenceHandler;
            import dev.stratus.algorithms.serving.InferenceRequest;
            import dev.stratus.algorithms.serving.InferenceResponse;

            public class Echo implements Trainer, InferenceHandler {
                private String greeting;

                @Override
                public void train(TrainingContext context) throws Exception {
                    boolean ownLoader = Thread.currentThread().getContextClassLoader() == getClass().getClassLoader();
                    Files.writeString(context.modelDir().resolve("greeting.txt"), context.requiredHyperparameter("greeting")
                            + " " + context.hyperparameters().keySet() + " own class loader: " + ownLoader);
                }

                @Override
                public void load(Path modelDir) throws Exception {
                    greeting = Files.readString(modelDir.resolve("greeting.txt"));
                }

                @Override
                public InferenceResponse invoke(InferenceRequest request) {
                    return InferenceResponse.of(greeting + " / " + request.text(), "text/plain");
                }
            }
            """;

    @TempDir
    static Path shared;
    static Path code;
    @TempDir
    Path base;

    @BeforeAll
    static void buildTheUsersCode() throws Exception {
        byte[] jar = UserCodeFixture.jar(Map.of(
                "com.example.Echo", ECHO,
                "com.example.NotATrainer", "package com.example; public class NotATrainer { }",
                "com.example.NoDefaultConstructor", """
                        package com.example;
                        public class NoDefaultConstructor implements dev.stratus.algorithms.Trainer {
                            public NoDefaultConstructor(String name) { }
                            public void train(dev.stratus.algorithms.TrainingContext context) { }
                        }
                        """));
        code = Files.write(shared.resolve("sourcedir.tar.gz"), UserCodeFixture.tarGz(Map.of("lib/echo.jar", jar)));
    }

    /** A container of its own for each job, with the model and code folders the platform makes. */
    private ContainerFixture job(String... hyperparameters) throws IOException {
        Path container = Files.createTempDirectory(base, "job");
        Files.createDirectories(container.resolve("model"));
        Files.createDirectories(container.resolve("code"));
        return new ContainerFixture(container).hyperparameters(hyperparameters);
    }

    @Test
    void aUsersClassTrainsAndServesWithoutSeeingThePlatformsHyperparameters() throws Exception {
        // As the SageMaker Python SDK sends a framework job's hyperparameters: JSON-encoded.
        ContainerFixture job = job("sagemaker_program", "\"com.example.Echo\"", "sagemaker_submit_directory", "\"" + code + "\"",
                "sagemaker_container_log_level", "20", "greeting", "hello");
        Path container = job.base();
        assertEquals(TrainingMain.SUCCESS, TrainingMain.execute(new ScriptModeTrainer(), new String[] {"train"}, container, Map.of()),
                job.failure());
        assertEquals("hello [greeting] own class loader: true", Files.readString(container.resolve("model/greeting.txt")));
        assertTrue(Files.isRegularFile(container.resolve("code/lib/echo.jar")), "unpacked into the code folder, as /opt/ml/code");

        ScriptModeHandler handler = new ScriptModeHandler(Map.of("SAGEMAKER_PROGRAM", "com.example.Echo",
                "SAGEMAKER_SUBMIT_DIRECTORY", code.toUri().toString()));
        handler.load(container.resolve("model"));
        assertEquals("hello [greeting] own class loader: true / 1,2", handler.invoke(InferenceRequest.of("1,2", "text/csv", null)).text());
    }

    @Test
    void aFolderServesAsItIsAndAModelsCodeFolderIsTheDefault() throws Exception {
        Path modelCode = Files.createDirectories(base.resolve("model/code"));
        Files.write(modelCode.resolve("echo.jar"), UserCodeFixture.jar(Map.of("com.example.Echo", ECHO)));
        Files.writeString(base.resolve("model/greeting.txt"), "hi");
        ScriptModeHandler handler = new ScriptModeHandler(Map.of("SAGEMAKER_PROGRAM", "com.example.Echo"));
        handler.load(base.resolve("model"));
        assertEquals("hi / x", handler.invoke(InferenceRequest.of("x", "text/csv", null)).text());
        assertFalse(Files.exists(base.resolve("code")), "a folder is used where it is, not copied");
    }

    @Test
    void eachMistakeInTheSettingsFailsTheJobWithOneLineNamingTheFix() throws Exception {
        job("sagemaker_submit_directory", code.toString()).assertRefused(new ScriptModeTrainer(),
                "ClientError: Missing hyperparameter sagemaker_program: set it to the name of your class that implements"
                        + " dev.stratus.algorithms.Trainer, package included");
        job("sagemaker_program", "com.example.Missing", "sagemaker_submit_directory", code.toString()).assertRefused(
                new ScriptModeTrainer(), "ClientError: sagemaker_program com.example.Missing is not a class in"
                        + " sagemaker_submit_directory " + code + " (jars: lib/echo.jar): give the class's full name, package included");
        job("sagemaker_program", "com.example.NotATrainer", "sagemaker_submit_directory", code.toString()).assertRefused(
                new ScriptModeTrainer(), "ClientError: sagemaker_program com.example.NotATrainer does not implement"
                        + " dev.stratus.algorithms.Trainer: implement it, or name the class that does");
        job("sagemaker_program", "com.example.NoDefaultConstructor", "sagemaker_submit_directory", code.toString()).assertRefused(
                new ScriptModeTrainer(), "ClientError: sagemaker_program com.example.NoDefaultConstructor has no public"
                        + " constructor without arguments");
        job("sagemaker_program", "com.example.Echo").assertRefused(new ScriptModeTrainer(),
                "ClientError: the code folder /opt/ml/code (no sagemaker_submit_directory given) holds no .jar or .class files:"
                        + " set hyperparameter sagemaker_submit_directory to the s3:// URI of a .tar.gz of your jars");
        job("sagemaker_program", "com.example.Echo", "sagemaker_submit_directory", "/no/such/sourcedir.tar.gz").assertRefused(
                new ScriptModeTrainer(), "ClientError: sagemaker_submit_directory /no/such/sourcedir.tar.gz does not exist or"
                        + " cannot be read: set hyperparameter sagemaker_submit_directory to the s3:// URI of a .tar.gz of your jars");
        Path notGzip = Files.writeString(base.resolve("echo.jar"), "not an archive");
        job("sagemaker_program", "com.example.Echo", "sagemaker_submit_directory", notGzip.toString()).assertRefused(
                new ScriptModeTrainer(), "ClientError: sagemaker_submit_directory " + notGzip + " is not a gzip-compressed tar"
                        + " archive (");
        job("sagemaker_program", "com.example.Echo", "sagemaker_submit_directory", "s3://bucket-only").assertRefused(
                new ScriptModeTrainer(), "ClientError: sagemaker_submit_directory s3://bucket-only names no object: give the"
                        + " .tar.gz's whole URI, s3://bucket/prefix/sourcedir.tar.gz");
    }

    @Test
    void anArchiveWhoseEntriesLeaveTheCodeFolderIsRefused() throws Exception {
        String outside = "escaped-" + base.getFileName() + ".txt";
        Path hostile = Files.write(base.resolve("hostile.tar.gz"),
                UserCodeFixture.tarGz(Map.of("../../" + outside, "x".getBytes(StandardCharsets.UTF_8))));
        ContainerFixture job = job("sagemaker_program", "com.example.Echo", "sagemaker_submit_directory", hostile.toString());
        job.assertRefused(new ScriptModeTrainer(), "ClientError: sagemaker_submit_directory " + hostile + " is refused: its entry"
                + " '../../" + outside + "' would be written outside the code folder: pack the archive with paths relative to"
                + " the code folder");
        assertFalse(Files.exists(job.base().resolve("code").resolve("../../" + outside).normalize()), "nothing written outside");
    }

    @Test
    void servingNeedsAnInferenceHandlerNamedInTheModelsEnvironment() {
        Path model = base.resolve("model");
        AlgorithmError missing = assertThrows(AlgorithmError.class,
                () -> new ScriptModeHandler(Map.of("SAGEMAKER_SUBMIT_DIRECTORY", code.toString())).load(model));
        assertEquals("ClientError: Missing model Environment variable SAGEMAKER_PROGRAM: set it to the name of your class that"
                + " implements dev.stratus.algorithms.serving.InferenceHandler, package included", missing.getMessage());
        AlgorithmError notAHandler = assertThrows(AlgorithmError.class, () -> new ScriptModeHandler(Map.of("SAGEMAKER_PROGRAM",
                "com.example.NotATrainer", "SAGEMAKER_SUBMIT_DIRECTORY", code.toString())).load(model));
        assertEquals("ClientError: SAGEMAKER_PROGRAM com.example.NotATrainer does not implement"
                + " dev.stratus.algorithms.serving.InferenceHandler: implement it, or name the class that does", notAHandler.getMessage());
        AlgorithmError noCode = assertThrows(AlgorithmError.class,
                () -> new ScriptModeHandler(Map.of("SAGEMAKER_PROGRAM", "com.example.Echo")).load(model));
        assertEquals("ClientError: the code folder /opt/ml/model/code (no SAGEMAKER_SUBMIT_DIRECTORY given) does not exist or"
                + " cannot be read: set model Environment variable SAGEMAKER_SUBMIT_DIRECTORY to the s3:// URI of a .tar.gz of"
                + " your jars (or a folder or .tar.gz on this machine)", noCode.getMessage());
    }
}
