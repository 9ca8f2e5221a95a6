package dev.stratus.algorithms.scriptmode;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.archives.RefusedArchive;
import dev.stratus.archives.TarGz;

/**
 * The user's code in script mode: the class to run ({@code sagemaker_program}) and where its jars are
 * ({@code sagemaker_submit_directory}), as a training job's hyperparameters or a model's Environment name them.
 * {@link #load} fetches the code into the container, loads the class in a class loader of its own (whose parent
 * holds Stratus's API, so the user's class implements the very {@code Trainer} or {@code InferenceHandler} the
 * launcher calls) and makes an instance of it.
 */
final class UserCode {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTAINER_BASE = "/opt/ml/";

    /** How the settings are given: "hyperparameter" or "model Environment variable". */
    private final String source;
    private final String programName;
    private final String program;
    private final String directoryName;
    private final String directory;
    /** Where the code is when no submit directory is named, as a container path. */
    private final String defaultDirectory;

    private UserCode(String source, String programName, String program, String directoryName, String directory,
                     String defaultDirectory) {
        this.source = source;
        this.programName = programName;
        this.program = unquote(program);
        this.directoryName = directoryName;
        this.directory = unquote(directory);
        this.defaultDirectory = defaultDirectory;
    }

    /**
     * A training job's code. Without {@code sagemaker_submit_directory} the code is looked for in
     * {@code /opt/ml/code}, as SageMaker's training toolkit does (an image may carry it there).
     */
    static UserCode forTraining(Map<String, String> hyperparameters) {
        return new UserCode("hyperparameter", "sagemaker_program", hyperparameters.get("sagemaker_program"),
                "sagemaker_submit_directory", hyperparameters.get("sagemaker_submit_directory"), CONTAINER_BASE + "code");
    }

    /**
     * A model's code. Without {@code SAGEMAKER_SUBMIT_DIRECTORY} it is looked for in {@code /opt/ml/model/code}, where
     * the SageMaker Python SDK repacks a framework model's code into its {@code model.tar.gz}.
     */
    static UserCode forServing(Map<String, String> environment) {
        return new UserCode("model Environment variable", "SAGEMAKER_PROGRAM", environment.get("SAGEMAKER_PROGRAM"),
                "SAGEMAKER_SUBMIT_DIRECTORY", environment.get("SAGEMAKER_SUBMIT_DIRECTORY"), CONTAINER_BASE + "model/code");
    }

    /**
     * Fetches the code into the container under {@code baseDir} ({@code /opt/ml}), loads the program and makes one of
     * it through its public constructor without arguments.
     *
     * @throws AlgorithmError naming the setting to fix when the code cannot be had or the class does not fit
     * @throws Exception what the class's constructor throws
     */
    <T> T load(Class<T> kind, Path baseDir) throws Exception {
        if (program == null || program.isBlank()) {
            throw AlgorithmError.clientError("Missing " + source + " " + programName + ": set it to the name of your class"
                    + " that implements " + kind.getName() + ", package included");
        }
        Path folder = fetch(baseDir);
        List<Path> classPath = classPath(folder);
        System.out.println("Script mode: " + program + " from " + describedDirectory() + " (" + names(folder, classPath) + ")");
        Class<?> type;
        try {
            type = Class.forName(program, false, new URLClassLoader("user-code", urls(classPath), kind.getClassLoader()));
        } catch (ClassNotFoundException e) {
            throw AlgorithmError.clientError(programName + " " + program + " is not a class in " + describedDirectory() + " ("
                    + names(folder, classPath) + "): give the class's full name, package included");
        } catch (LinkageError e) {
            throw AlgorithmError.clientError(programName + " " + program + " cannot be loaded (" + e
                    + "): put the jars it needs into " + describedDirectory() + " too");
        }
        if (!kind.isAssignableFrom(type)) {
            throw AlgorithmError.clientError(programName + " " + program + " does not implement " + kind.getName()
                    + ": implement it, or name the class that does");
        }
        try {
            return kind.cast(type.getConstructor().newInstance());
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw AlgorithmError.clientError(programName + " " + program + " has no public constructor without arguments:"
                    + " add one (and make the class public)");
        } catch (InstantiationException e) {
            throw AlgorithmError.clientError(programName + " " + program + " is abstract: name a class that can be made");
        } catch (InvocationTargetException e) {
            // What the constructor threw, as if it were called directly.
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Runs {@code call} with {@code program}'s class loader as the thread's context class loader, as libraries expect. */
    static <T> T inItsClassLoader(Object program, Callable<T> call) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(program.getClass().getClassLoader());
        try {
            return call.call();
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    /**
     * The folder that holds the code: the submit directory itself when it is a folder; else {@code code/}, with the
     * {@code .tar.gz} it names (in S3 or on disk) unpacked into it.
     */
    private Path fetch(Path baseDir) throws AlgorithmError, IOException {
        Path code = baseDir.resolve("code");
        String where = directory == null || directory.isBlank() ? defaultDirectory : directory;
        if (where.startsWith("s3://")) {
            Path archive = Files.createTempFile(baseDir, "sourcedir", ".tar.gz");
            try {
                S3Download.download(where, archive, directoryName);
                unpack(archive, code);
            } finally {
                Files.deleteIfExists(archive);
            }
            return code;
        }
        Path local = local(where, baseDir);
        if (Files.isDirectory(local) && Files.isReadable(local)) {
            return local;
        }
        if (Files.isRegularFile(local) && Files.isReadable(local)) {
            unpack(local, code);
            return code;
        }
        throw AlgorithmError.clientError(describedDirectory() + " does not exist or cannot be read: set " + source + " "
                + directoryName + " to the s3:// URI of a .tar.gz of your jars (or a folder or .tar.gz on this machine)");
    }

    private void unpack(Path archive, Path code) throws AlgorithmError, IOException {
        Files.createDirectories(code);
        try {
            TarGz.unpack(archive, code, "code folder");
        } catch (RefusedArchive e) {
            throw AlgorithmError.clientError(e.entry().isPresent()
                    ? describedDirectory() + " is refused: " + e.getMessage() + ": pack the archive with paths relative to"
                            + " the code folder (tar czf sourcedir.tar.gz -C target my-algorithm.jar)"
                    : describedDirectory() + " is not a gzip-compressed tar archive (" + e.problem() + "): pack your jars"
                            + " as one (tar czf sourcedir.tar.gz -C target my-algorithm.jar)");
        }
    }

    /**
     * A path or {@code file://} URI on this machine; a container path under {@code /opt/ml/} lies under
     * {@code baseDir}, where the local cloud lays each container out.
     */
    private static Path local(String where, Path baseDir) {
        String path = where.startsWith("file:") ? URI.create(where).getPath() : where;
        return path.startsWith(CONTAINER_BASE) ? baseDir.resolve(path.substring(CONTAINER_BASE.length())) : Path.of(path);
    }

    private String describedDirectory() {
        return directory == null || directory.isBlank()
                ? "the code folder " + defaultDirectory + " (no " + directoryName + " given)"
                : directoryName + " " + directory;
    }

    /** The folder (for classes and resources at its root), then every jar in it, at any depth, in a stable order. */
    private List<Path> classPath(Path folder) throws AlgorithmError, IOException {
        List<Path> classPath = new ArrayList<>(List.of(folder));
        boolean classes;
        try (Stream<Path> files = Files.walk(folder)) {
            List<Path> all = files.filter(Files::isRegularFile).sorted().toList();
            all.stream().filter(f -> f.getFileName().toString().endsWith(".jar")).forEach(classPath::add);
            classes = all.stream().anyMatch(f -> f.getFileName().toString().endsWith(".class"));
        }
        if (classPath.size() == 1 && !classes) {
            throw AlgorithmError.clientError(describedDirectory() + " holds no .jar or .class files: set " + source + " "
                    + directoryName + " to the s3:// URI of a .tar.gz of your jars");
        }
        return classPath;
    }

    private static URL[] urls(List<Path> classPath) throws MalformedURLException {
        URL[] urls = new URL[classPath.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = classPath.get(i).toUri().toURL();
        }
        return urls;
    }

    /** "jars: a.jar, lib/b.jar", or "classes only", for the log and for a class that is not found. */
    private static String names(Path folder, List<Path> classPath) {
        List<String> jars = classPath.subList(1, classPath.size()).stream().map(jar -> folder.relativize(jar).toString()).toList();
        if (jars.isEmpty()) {
            return "classes only";
        }
        return "jars: " + (jars.size() <= 10 ? String.join(", ", jars) : String.join(", ", jars.subList(0, 10)) + ", ...");
    }

    /** The SageMaker Python SDK sends a framework job's hyperparameters JSON-encoded: "\"com.example.Trainer\"". */
    private static String unquote(String value) {
        if (value == null || value.length() < 2 || !value.startsWith("\"") || !value.endsWith("\"")) {
            return value;
        }
        try {
            return JSON.readValue(value, String.class);
        } catch (JsonProcessingException e) {
            return value;
        }
    }
}
