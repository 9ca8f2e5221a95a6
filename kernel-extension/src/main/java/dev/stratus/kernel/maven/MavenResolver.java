package dev.stratus.kernel.maven;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession.CloseableSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.eclipse.aether.util.repository.SimpleResolutionErrorPolicy;

/**
 * Resolves Maven artifacts and their transitive runtime dependencies into jar files, for the {@code %maven} magic.
 * Downloads are cached in a local repository laid out like {@code ~/.m2/repository}; each call uses a fresh
 * Maven Resolver session that is closed before returning, so instances are immutable and thread-safe.
 */
public final class MavenResolver {

    private static final String CENTRAL_URL = "https://repo.maven.apache.org/maven2/";
    private static final String EXAMPLE = "org.slf4j:slf4j-api:2.0.20";

    /**
     * The resolver logs through SLF4J to java.util.logging, whose default console handler would print its warnings
     * (and Apache HttpClient's retries) into the notebook; failures reach the user as MavenResolutionException.
     * Loggers whose level is configured explicitly keep it. Held here so the levels are not garbage-collected.
     */
    private static final List<Logger> QUIETED = Stream.of("org.eclipse.aether", "org.apache.maven", "org.apache.http")
            .map(Logger::getLogger)
            .collect(Collectors.toUnmodifiableList());

    static {
        QUIETED.stream().filter(logger -> logger.getLevel() == null).forEach(logger -> logger.setLevel(Level.OFF));
    }

    private final Path localRepository;
    private final List<String> remoteRepositoryUrls;

    /** Maven Central, cached in {@code ~/.m2/repository} or in the folder named by {@code -Dmaven.repo.local}. */
    public static MavenResolver standard() {
        String local = System.getProperty("maven.repo.local");
        Path localRepository = local != null && !local.isBlank()
                ? Path.of(local)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        return new MavenResolver(localRepository, List.of(CENTRAL_URL));
    }

    /** Resolves from the given repositories, searched in order, caching downloads in {@code localRepository}. */
    public MavenResolver(Path localRepository, List<String> remoteRepositoryUrls) {
        this.localRepository = localRepository.toAbsolutePath().normalize();
        this.remoteRepositoryUrls = List.copyOf(remoteRepositoryUrls);
        for (String url : this.remoteRepositoryUrls) {
            if (!url.matches("[a-z][a-z0-9+.-]*://\\S+")) {
                throw new IllegalArgumentException(
                        "'" + url + "' is not a repository URL: write one like " + CENTRAL_URL);
            }
        }
    }

    /**
     * Resolves coordinates like "org.slf4j:slf4j-simple:2.0.20" (also G:A:EXT:V and G:A:EXT:CLASSIFIER:V) with
     * transitive runtime deps; returns jar files in class-path order, no duplicates.
     */
    public List<Path> resolve(List<String> coordinates) throws MavenResolutionException {
        if (coordinates.isEmpty()) {
            throw new MavenResolutionException(
                    "no Maven coordinate given: name at least one, for example " + EXAMPLE);
        }
        List<Dependency> dependencies = new ArrayList<>();
        for (String coordinate : coordinates) {
            dependencies.add(new Dependency(parse(coordinate), JavaScopes.COMPILE));
        }
        try (RepositorySystem system = new RepositorySystemSupplier().get();
                CloseableSession session = new SessionBuilderSupplier(system).get()
                        .withLocalRepositoryBaseDirectories(localRepository)
                        .setIgnoreArtifactDescriptorRepositories(true) // only the repositories we were given
                        .setResolutionErrorPolicy(new SimpleResolutionErrorPolicy(false, false)) // retry misses
                        // No per-session fetch of the repository's prefix list: cached artifacts need no network.
                        .setConfigProperty("aether.remoteRepositoryFilter.prefixes", false)
                        .build()) {
            List<RemoteRepository> repositories = system.newResolutionRepositories(session, remoteRepositories());
            CollectRequest collect = new CollectRequest(dependencies, List.of(), repositories);
            DependencyRequest request =
                    new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
            Set<Path> jars = new LinkedHashSet<>();
            for (ArtifactResult result : system.resolveDependencies(session, request).getArtifactResults()) {
                Path file = result.getArtifact().getPath();
                if (file != null && file.getFileName().toString().endsWith(".jar")) {
                    jars.add(file);
                }
            }
            return List.copyOf(jars);
        } catch (DependencyResolutionException e) {
            throw new MavenResolutionException(FailureMessage.of(e, coordinates, searched()), e);
        }
    }

    private static Artifact parse(String coordinate) throws MavenResolutionException {
        String[] parts = coordinate.strip().split(":", -1);
        boolean wellFormed = parts.length >= 3 && parts.length <= 5;
        for (String part : parts) {
            wellFormed &= !part.isEmpty() && part.chars().noneMatch(Character::isWhitespace);
        }
        if (!wellFormed) {
            throw new MavenResolutionException("'" + coordinate + "' is not a Maven coordinate: write"
                    + " groupId:artifactId:version, for example " + EXAMPLE);
        }
        String extension = parts.length >= 4 ? parts[2] : "jar";
        String classifier = parts.length == 5 ? parts[3] : "";
        return new DefaultArtifact(parts[0], parts[1], classifier, extension, parts[parts.length - 1]);
    }

    private List<RemoteRepository> remoteRepositories() {
        List<RemoteRepository> repositories = new ArrayList<>();
        for (String url : remoteRepositoryUrls) {
            // "central" is the id Maven itself uses, so downloads Maven made into ~/.m2 are reused and vice versa.
            String id = isCentral(url) ? "central" : url.replaceFirst("^\\w+://", "").replaceAll("[^\\w.-]+", "-");
            repositories.add(new RemoteRepository.Builder(id, "default", url).build());
        }
        return repositories;
    }

    private static boolean isCentral(String url) {
        return (url.endsWith("/") ? url : url + "/").equals(CENTRAL_URL);
    }

    /** The repositories searched, as named in messages: "Maven Central (https://...)" or the URL. */
    private String searched() {
        String urls = remoteRepositoryUrls.stream()
                .map(url -> isCentral(url) ? "Maven Central (" + url + ")" : url)
                .collect(Collectors.joining(" or "));
        return urls.isEmpty()
                ? "the local repository " + localRepository + " (no remote repository is configured)"
                : urls;
    }
}
