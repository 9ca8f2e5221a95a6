package dev.stratus.cloud.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.stratus.cloud.server.JsonRpc;

/**
 * Resolves a job's image URI to the program that plays it locally. SageMaker's own ECR images
 * of XGBoost, Linear Learner and K-Means map to Stratus's implementations of those algorithms;
 * the Stratus Java image as a user pushes it to their own registry (repository {@code stratus-java},
 * any account and region) maps to {@code stratus/java}, so a notebook names the same image locally
 * and on SageMaker; {@code stratus/<name>:<tag>} names an image installed under the home's {@code images/<name>/}
 * folder, whose {@code image.json} gives the command ({@code {"command": ["java", "-cp", ...]}}).
 * Stratus's own images (the built-in algorithms) come from the algorithms module's build folder.
 * A container is started as {@code <command> train} or {@code <command> serve}, as on SageMaker.
 */
public final class AlgorithmImages {

    /**
     * What {@code image.json} says of an image: the command that runs it, and whether its algorithm
     * talks to no network but its peers ({@code "networkIsolation": true}, SageMaker's term): the hosts
     * of a multi-instance job of such an image then share a private network (see {@link PrivateNetwork}).
     */
    public record Image(List<String> command, boolean networkIsolation) {
    }

    /** SageMaker's registry accounts per region for the built-in images (sagemaker-facts.md §6). */
    private static final Map<String, Map<String, String>> ECR_ACCOUNTS = Map.of(
            "sagemaker-xgboost", Map.of("us-east-1", "683313688378", "us-west-2", "246618743249", "eu-west-1", "141502667606"),
            "kmeans", Map.of("us-east-1", "382416733822", "us-west-2", "174872318107", "eu-west-1", "438346466558"),
            "linear-learner", Map.of("us-east-1", "382416733822", "us-west-2", "174872318107", "eu-west-1", "438346466558"));
    /** The Stratus image that plays each built-in algorithm. */
    private static final Map<String, String> BUILT_IN = Map.of(
            "sagemaker-xgboost", "xgboost", "kmeans", "kmeans", "linear-learner", "linear-learner");
    /** Stratus's images as users push them to their own ECR repositories, by repository name. */
    private static final Map<String, String> PUSHED = Map.of("stratus-java", "java");
    private static final Pattern ECR = Pattern.compile(
            "^(\\d{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/([a-z0-9._-]+)(?::([\\w.-]+))?$");
    private static final Pattern STRATUS = Pattern.compile("^stratus/([a-z0-9][a-z0-9._-]*)(?::([\\w.-]+))?$");

    private final Path installed;
    private final Optional<Path> builtIn;

    /** Images installed in the home come first, so a user can replace a built-in one. */
    public AlgorithmImages(Path installed, Optional<Path> builtIn) {
        this.installed = installed;
        this.builtIn = builtIn;
    }

    /** The image that plays {@code image} (a URI), or an exception whose message says what is supported. */
    public Image image(String image) {
        Matcher ecr = ECR.matcher(image);
        if (ecr.matches()) {
            String repository = ecr.group(3);
            Map<String, String> accounts = ECR_ACCOUNTS.get(repository);
            if (accounts != null && ecr.group(1).equals(accounts.get(ecr.group(2)))) {
                return installed(BUILT_IN.get(repository), image);
            }
            if (PUSHED.containsKey(repository)) {
                return installed(PUSHED.get(repository), image);
            }
        }
        Matcher stratus = STRATUS.matcher(image);
        if (stratus.matches()) {
            return installed(stratus.group(1), image);
        }
        throw new IllegalArgumentException(unsupported(image));
    }

    private Image installed(String name, String image) {
        Path inHome = installed.resolve(name).resolve("image.json");
        Path descriptor = Files.isRegularFile(inHome) || builtIn.isEmpty() ? inHome : builtIn.get().resolve(name).resolve("image.json");
        if (!Files.isRegularFile(descriptor)) {
            throw new IllegalArgumentException("image " + image + " runs as the Stratus image '" + name
                    + "', which is not installed (" + descriptor + " is missing): install it into " + installed);
        }
        try {
            JsonNode json = JsonRpc.JSON.readTree(descriptor.toFile());
            List<String> words = new ArrayList<>();
            json.path("command").forEach(word -> words.add(word.asText().replace("${IMAGE_DIR}", descriptor.getParent().toString())));
            if (words.isEmpty()) {
                throw new IllegalArgumentException(descriptor + " has no \"command\": give it the program to run");
            }
            return new Image(words, json.path("networkIsolation").asBoolean(false));
        } catch (IOException e) {
            throw new IllegalArgumentException(descriptor + " is not valid JSON: " + e.getMessage());
        }
    }

    private String unsupported(String image) {
        return "image '" + image + "' is not supported locally; supported are SageMaker's XGBoost, Linear Learner and"
                + " K-Means images (<account>.dkr.ecr.<region>.amazonaws.com/sagemaker-xgboost|linear-learner|kmeans:<tag>"
                + " in us-east-1, us-west-2, eu-west-1), the Stratus Java image pushed to your own registry"
                + " (<account>.dkr.ecr.<region>.amazonaws.com/stratus-java:<tag>) and stratus/<name>:<tag> images installed in "
                + installed;
    }
}
