package dev.stratus.kernel.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Resolves from the real Maven Central into throw-away local repositories, so ~/.m2 plays no part. */
class MavenResolverTest {

    private static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

    @TempDir
    static Path localRepository;

    private static List<Path> slf4jSimple;
    private static String printedDuringFirstResolve;

    @BeforeAll
    static void resolveSlf4jSimpleOnce() throws Exception {
        Quietly<List<Path>> first = quietly(() -> resolver().resolve(List.of("org.slf4j:slf4j-simple:2.0.20")));
        slf4jSimple = first.value;
        printedDuringFirstResolve = first.printed;
    }

    private static MavenResolver resolver() {
        return new MavenResolver(localRepository, List.of(CENTRAL));
    }

    @Test
    void resolvesTheArtifactAndItsRuntimeDependenciesIntoTheLocalRepository() {
        List<String> names = slf4jSimple.stream().map(p -> p.getFileName().toString()).collect(Collectors.toList());
        assertEquals(List.of("slf4j-simple-2.0.20.jar", "slf4j-api-2.0.20.jar"), names);
        for (Path jar : slf4jSimple) {
            assertTrue(Files.isRegularFile(jar), jar + " should exist");
            assertTrue(jar.startsWith(localRepository), jar + " should be in " + localRepository);
        }
        assertEquals(localRepository.resolve("org/slf4j/slf4j-api/2.0.20/slf4j-api-2.0.20.jar"), slf4jSimple.get(1));
    }

    @Test
    void resolvingPrintsAndLogsNothing() {
        assertEquals("", printedDuringFirstResolve);
    }

    @Test
    void aSecondResolveIsServedFromTheLocalRepository() throws Exception {
        // Backdate every cached file: a download or rewrite during the second resolve would show as a new time.
        FileTime longAgo = FileTime.fromMillis(946_684_800_000L);
        for (Path file : filesIn(localRepository).keySet()) {
            Files.setLastModifiedTime(file, longAgo);
        }
        Map<Path, FileTime> before = filesIn(localRepository);

        List<Path> again = resolver().resolve(List.of("org.slf4j:slf4j-simple:2.0.20"));

        assertEquals(slf4jSimple, again);
        assertEquals(before, filesIn(localRepository));
        // The G:A:EXT:V form names the same jar, also without downloading.
        assertEquals(List.of(slf4jSimple.get(1)), resolver().resolve(List.of("org.slf4j:slf4j-api:jar:2.0.20")));
        assertEquals(before, filesIn(localRepository));
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo", "org.slf4j:slf4j-api", "org.slf4j::2.0.20", "a:b:c:d:e:f", "org.slf4j:slf4j api:1"})
    void aBadCoordinateIsOneLineSayingHowToWriteOne(String coordinate) {
        MavenResolutionException e = assertThrows(MavenResolutionException.class,
                () -> resolver().resolve(List.of("org.slf4j:slf4j-api:2.0.20", coordinate)));
        assertEquals("'" + coordinate + "' is not a Maven coordinate: write groupId:artifactId:version,"
                + " for example org.slf4j:slf4j-api:2.0.20", e.getMessage());
    }

    @Test
    void aCoordinateSpanningLinesStillGivesAOneLineMessage() {
        MavenResolutionException e = assertThrows(MavenResolutionException.class,
                () -> resolver().resolve(List.of("org.slf4j\n:slf4j-api:2.0.20")));
        assertTrue(e.getMessage().contains("is not a Maven coordinate"), e.getMessage());
        assertOneLine(e.getMessage());
    }

    @Test
    void noCoordinatesIsOneLineAskingForOne() {
        MavenResolutionException e =
                assertThrows(MavenResolutionException.class, () -> resolver().resolve(List.of()));
        assertTrue(e.getMessage().contains("at least one"), e.getMessage());
        assertOneLine(e.getMessage());
    }

    @Test
    void anArtifactMissingFromCentralIsOneLineNamingItAndTheRepository(@TempDir Path emptyRepository)
            throws Exception {
        MavenResolver resolver = new MavenResolver(emptyRepository, List.of(CENTRAL));
        Quietly<MavenResolutionException> failure = quietly(() -> assertThrows(MavenResolutionException.class,
                () -> resolver.resolve(List.of("org.example:nope:1.0"))));
        assertEquals("org.example:nope:1.0 was not found in Maven Central (https://repo.maven.apache.org/maven2/):"
                + " check the coordinate's spelling and version", failure.value.getMessage());
        assertEquals("", failure.printed);
    }

    @Test
    void resolverWarningsStayOutOfTheNotebook(@TempDir Path folder) throws Exception {
        // A file repository without .sha1 files: Maven Resolver warns about every download it cannot verify.
        Path remote = folder.resolve("remote");
        Path version = Files.createDirectories(remote.resolve("com/example/solo/1.0"));
        Files.writeString(version.resolve("solo-1.0.pom"), "<project><modelVersion>4.0.0</modelVersion>"
                + "<groupId>com.example</groupId><artifactId>solo</artifactId><version>1.0</version></project>");
        try (ZipOutputStream jar = new ZipOutputStream(Files.newOutputStream(version.resolve("solo-1.0.jar")))) {
            jar.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            jar.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.UTF_8));
        }
        Path local = folder.resolve("local");
        MavenResolver resolver = new MavenResolver(local, List.of(remote.toUri().toString()));

        Quietly<List<Path>> resolved = quietly(() -> resolver.resolve(List.of("com.example:solo:1.0")));

        assertEquals(List.of(local.resolve("com/example/solo/1.0/solo-1.0.jar")), resolved.value);
        assertEquals("", resolved.printed);
    }

    private static void assertOneLine(String message) {
        assertFalse(message.isBlank());
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "not one line: " + message);
    }

    private static Map<Path, FileTime> filesIn(Path folder) throws IOException {
        Map<Path, FileTime> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path file : walk.filter(Files::isRegularFile).collect(Collectors.toList())) {
                files.put(file, Files.getLastModifiedTime(file));
            }
        }
        return files;
    }

    private interface Action<T> {
        T run() throws Exception;
    }

    private static final class Quietly<T> {
        final T value;
        final String printed;

        Quietly(T value, String printed) {
            this.value = value;
            this.printed = printed;
        }
    }

    /**
     * Runs the action while capturing System.out, System.err and java.util.logging records at INFO or above (what
     * the JDK's default console handler would print, and where slf4j-jdk14 sends the resolver's logging).
     */
    private static <T> Quietly<T> quietly(Action<T> action) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<String> logged = new ArrayList<>();
        Handler recorder = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.INFO.intValue()) {
                    logged.add(record.getLevel() + " " + record.getLoggerName() + ": " + record.getMessage() + "\n");
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger root = Logger.getLogger("");
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8);
        root.addHandler(recorder);
        System.setOut(capture);
        System.setErr(capture);
        try {
            T value = action.run();
            return new Quietly<>(value, printed.toString(StandardCharsets.UTF_8) + String.join("", logged));
        } finally {
            System.setOut(out);
            System.setErr(err);
            root.removeHandler(recorder);
        }
    }
}
