package dev.stratus.kernel.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import javax.tools.ToolProvider;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class JavaEvaluatorTest {

    private static final JavaEvaluator java = new JavaEvaluator();

    @AfterAll
    static void close() {
        java.close();
    }

    @Test
    void theLastExpressionIsTheRealObject() throws Exception {
        Object value = java.eval("var list = new java.util.ArrayList<String>();\nlist.add(\"a\");\nlist", 1, 0);
        assertEquals(List.of("a"), value);
        assertEquals(java.util.ArrayList.class, value.getClass());
        assertSame(JavaEvaluator.NO_VALUE, java.eval("int unused = 1;", 1, 0));
    }

    @Test
    void declarationsSurviveBetweenCalls() throws Exception {
        java.eval("class Counter { int n; int next() { return ++n; } }\nCounter c = new Counter();", 2, 0);
        assertEquals(1, java.eval("c.next()", 3, 0));
        assertEquals(2, java.eval("c.next()", 4, 0));
    }

    @Test
    void aJarAddedAfterCellsWereCompiledIsSeenByTheNextCell(@TempDir Path temp) throws Exception {
        java.eval("1 + 1", 5, 0); // javac has indexed the class path by now, and keeps that index between cells
        Path source = Files.writeString(Files.createDirectories(temp.resolve("src/late")).resolve("Added.java"),
                "package late; public class Added { public static String hello() { return \"added late\"; } }");
        Path classes = Files.createDirectories(temp.resolve("classes"));
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), source.toString()));
        Path jar = temp.resolve("late.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("late/Added.class"));
            out.write(Files.readAllBytes(classes.resolve("late/Added.class")));
        }
        java.addToClassPath(jar.toString());
        assertEquals("added late", java.eval("late.Added.hello()", 6, 0));
    }

    @Test
    void compileErrorsKnowTheirLineAndColumn() {
        CompilationException e = assertThrows(CompilationException.class,
                () -> java.eval("int ok = 1;\nint bad = missing + 1;", 5, 3));
        CompilationException.Problem problem = e.problems().get(0);
        assertEquals(5, problem.line());
        assertEquals(11, problem.column());
        assertEquals("int bad = missing + 1;", problem.codeLine());
        List<String> traceback = problem.traceback();
        assertEquals("              ^", traceback.get(traceback.size() - 1));
        assertTrue(e.getMessage().startsWith("line 5, column 11: cannot find symbol"), e.getMessage());
    }

    @Test
    void runtimeExceptionsAreThemselvesWithUserFramesOnly() throws Exception {
        java.eval("int divide(int a, int b) {\n  return a / b;\n}", 6, 0);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> java.eval("int x = 1;\ndivide(x, 0)", 7, 0));
        assertEquals("/ by zero", e.getMessage());
        assertEquals(List.of("    at divide (cell 6, line 2)", "    at cell 7, line 2"), java.userFrames(e));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void anInterruptStopsTheCellAndKeepsState() throws Exception {
        java.eval("int kept = 42;", 8, 0);
        AtomicBoolean started = new AtomicBoolean();
        Thread interrupter = new Thread(() -> {
            try {
                Thread.sleep(700);
                started.set(true);
                java.runner().interrupt();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        java.runner().startCell();
        interrupter.start();
        InterruptedException e = assertThrows(InterruptedException.class, () -> java.eval("while (true) { }", 9, 0));
        assertTrue(started.get());
        assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
        java.runner().startCell();
        assertEquals(42, java.eval("kept", 10, 0));
    }
}
