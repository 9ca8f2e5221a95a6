package dev.stratus.kernel.magic.builtin;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.stratus.kernel.magic.Magic;
import dev.stratus.kernel.maven.MavenResolver;
import io.github.spencerpark.jupyter.kernel.util.GlobFinder;

/** {@code %jars}, {@code %classpath} and {@code %maven}: put more code within reach of the notebook. */
public final class ClassPathMagics {

    private ClassPathMagics() {
    }

    /**
     * @param addToClassPath adds existing jars or folders (and installs extensions found in them); returns what it added
     * @param classPath the current class path
     */
    public static List<Magic> create(Function<List<Path>, List<String>> addToClassPath, Supplier<List<String>> classPath,
                                     Supplier<MavenResolver> maven) {
        Magic jars = Magic.builder("jars")
                .summary("Add jars to the class path (globs allowed); returns the paths added")
                .usage("%jars PATH_OR_GLOB...\n\nExample: var added = %jars lib/*.jar\n"
                        + "Extensions inside the jars (META-INF/services/dev.stratus.kernel.extension.Extension) are installed.")
                .line(args -> {
                    if (args.isEmpty()) {
                        throw new IllegalArgumentException("%jars needs at least one jar or glob, for example %jars lib/*.jar");
                    }
                    return addToClassPath.apply(matching(args.words(), true));
                })
                .build();
        Magic classpath = Magic.builder("classpath")
                .summary("Show the class path, or add folders and jars to it")
                .usage("%classpath               lists every entry\n%classpath PATH_OR_GLOB...  adds folders or jars")
                .line(args -> {
                    if (args.isEmpty()) {
                        return String.join("\n", classPath.get());
                    }
                    return addToClassPath.apply(matching(args.words(), false));
                })
                .build();
        Magic mavenMagic = Magic.builder("maven")
                .summary("Resolve Maven artifacts with their dependencies from Maven Central and add them")
                .usage("%maven GROUP:ARTIFACT:VERSION...\n\nExample: %maven org.apache.commons:commons-math3:3.6.1\n"
                        + "Downloads are cached in ~/.m2/repository.")
                .line(args -> addToClassPath.apply(maven.get().resolve(args.words())))
                .build();
        return List.of(jars, classpath, mavenMagic);
    }

    /** Every path the globs match; a glob that matches nothing is an error. */
    private static List<Path> matching(List<String> globs, boolean jarsOnly) throws Exception {
        List<Path> all = new ArrayList<>();
        for (String glob : globs) {
            all.addAll(matching(glob, jarsOnly));
        }
        return all;
    }

    private static List<Path> matching(String glob, boolean jarsOnly) throws Exception {
        List<Path> matches = new ArrayList<>();
        try {
            for (Path p : new GlobFinder(glob).computeMatchingPaths()) {
                if (!jarsOnly || Files.isDirectory(p) || p.toString().endsWith(".jar")) {
                    matches.add(p.toAbsolutePath().normalize());
                }
            }
        } catch (NoSuchFileException e) {
            // The glob's folder does not exist: the same answer as a glob that matches nothing.
        }
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("nothing matches '" + glob + "' (relative to " + Path.of("").toAbsolutePath()
                    + "): check the path");
        }
        return matches;
    }
}
