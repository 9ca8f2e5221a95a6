package dev.stratus.kernel.maven;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.collection.DependencyCollectionException;
import org.eclipse.aether.graph.DependencyNode;
import org.eclipse.aether.resolution.ArtifactDescriptorException;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.resolution.DependencyResult;
import org.eclipse.aether.transfer.ArtifactNotFoundException;
import org.eclipse.aether.transfer.ArtifactTransferException;

/** Turns Maven Resolver's nested, multi-line failures into one line naming the problem and its fix. */
final class FailureMessage {

    private FailureMessage() {}

    /**
     * @param coordinates what the user asked for
     * @param searched the repositories searched, as they should be named in the message
     */
    static String of(DependencyResolutionException failure, List<String> coordinates, String searched) {
        List<Throwable> problems = problems(failure);
        List<Artifact> missing = problems.stream()
                .filter(ArtifactNotFoundException.class::isInstance)
                .map(e -> ((ArtifactNotFoundException) e).getArtifact())
                .filter(Objects::nonNull)
                .distinct()
                .collect(Collectors.toList());
        if (!missing.isEmpty()) {
            List<String> neededBy = missing.stream()
                    .map(artifact -> requestedAncestor(failure.getResult().getRoot(), artifact))
                    .filter(Objects::nonNull)
                    .distinct()
                    .collect(Collectors.toList());
            String fix = neededBy.isEmpty()
                    ? "check the coordinate's spelling and version"
                    : "it is a dependency of " + String.join(", ", neededBy) + ", try another version of that";
            return missing.stream().map(FailureMessage::coordinate).collect(Collectors.joining(", "))
                    + (missing.size() == 1 ? " was" : " were") + " not found in " + searched + ": " + fix;
        }
        for (Throwable problem : problems) {
            if (problem instanceof ArtifactTransferException) {
                Artifact artifact = ((ArtifactTransferException) problem).getArtifact();
                return "could not download " + (artifact == null ? "" : coordinate(artifact) + " ") + "from " + searched
                        + " (" + innermost(problem) + "): check the network connection and retry";
            }
        }
        return "could not resolve " + String.join(" ", coordinates) + " from " + searched + ": " + innermost(failure);
    }

    /** The failure and everything it wraps: causes, and the per-artifact exceptions the resolver collects. */
    private static List<Throwable> problems(Throwable failure) {
        List<Throwable> all = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> pending = new ArrayDeque<>(List.of(failure));
        while (!pending.isEmpty()) {
            Throwable problem = pending.removeFirst();
            if (!seen.add(problem)) {
                continue;
            }
            all.add(problem);
            List<Throwable> nested = new ArrayList<>();
            nested.add(problem.getCause());
            if (problem instanceof DependencyResolutionException) {
                DependencyResult result = ((DependencyResolutionException) problem).getResult();
                nested.addAll(result.getCollectExceptions());
                unresolved(result.getArtifactResults()).forEach(nested::addAll);
            } else if (problem instanceof ArtifactResolutionException) {
                unresolved(((ArtifactResolutionException) problem).getResults()).forEach(nested::addAll);
            } else if (problem instanceof DependencyCollectionException) {
                nested.addAll(((DependencyCollectionException) problem).getResult().getExceptions());
            } else if (problem instanceof ArtifactDescriptorException) {
                nested.addAll(((ArtifactDescriptorException) problem).getResult().getExceptions());
            }
            nested.stream().filter(Objects::nonNull).forEach(pending::addLast);
        }
        return all;
    }

    /** Exceptions of the artifacts not resolved; resolved ones may still carry misses from other repositories. */
    private static Stream<List<Exception>> unresolved(List<ArtifactResult> results) {
        return results.stream().filter(result -> !result.isResolved()).map(ArtifactResult::getExceptions);
    }

    /** The requested coordinate that pulled in {@code artifact}, or null if {@code artifact} was itself requested. */
    private static String requestedAncestor(DependencyNode root, Artifact artifact) {
        if (root == null) {
            return null;
        }
        for (DependencyNode requested : root.getChildren()) {
            if (!isArtifact(requested, artifact)
                    && reaches(requested, artifact, Collections.newSetFromMap(new IdentityHashMap<>()))) {
                return coordinate(requested.getArtifact());
            }
        }
        return null;
    }

    private static boolean reaches(DependencyNode node, Artifact artifact, Set<DependencyNode> visited) {
        return visited.add(node) && (isArtifact(node, artifact)
                || node.getChildren().stream().anyMatch(child -> reaches(child, artifact, visited)));
    }

    private static boolean isArtifact(DependencyNode node, Artifact artifact) {
        return node.getArtifact() != null && coordinate(node.getArtifact()).equals(coordinate(artifact));
    }

    /** G:A:V, or G:A:EXT:V / G:A:EXT:CLASSIFIER:V when the artifact is not a plain jar, as the user would write it. */
    static String coordinate(Artifact artifact) {
        String middle = !artifact.getClassifier().isEmpty()
                ? artifact.getExtension() + ":" + artifact.getClassifier() + ":"
                : artifact.getExtension().equals("jar") ? "" : artifact.getExtension() + ":";
        return artifact.getGroupId() + ":" + artifact.getArtifactId() + ":" + middle + artifact.getVersion();
    }

    /** The message of the deepest cause that has one, on one line, e.g. "UnknownHostException: repo.example.org". */
    private static String innermost(Throwable problem) {
        Throwable deepest = problem;
        for (Throwable t = problem; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                deepest = t;
            }
        }
        String message = deepest.getMessage() == null ? "" : deepest.getMessage().replaceAll("\\s*\\R\\s*", " ");
        return deepest instanceof java.io.IOException
                ? deepest.getClass().getSimpleName() + ": " + message.strip()
                : message.strip();
    }
}
