package dev.stratus.tests;

import static dev.stratus.tests.Jupyter.cellOutputs;
import static dev.stratus.tests.Jupyter.cells;
import static dev.stratus.tests.Jupyter.ename;
import static dev.stratus.tests.Jupyter.evalue;
import static dev.stratus.tests.Jupyter.mimeText;
import static dev.stratus.tests.Jupyter.outputsOfType;
import static dev.stratus.tests.Jupyter.resultText;
import static dev.stratus.tests.Jupyter.stdout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** Notebooks executed headless by nbconvert against the installed kernelspec, as a user or CI would. */
class NotebookIT {

    @TempDir
    static Path temp;
    static Path jupyterPath;

    @BeforeAll
    static void installKernel() {
        jupyterPath = Jupyter.installKernel(Jupyter.repoRoot(), temp.resolve("prefix"));
    }

    @Test
    void aHeadlessNotebookShowsValuesDisplaysMagicsErrorsAndState() {
        Path notebook = Jupyter.Notebook.of(
                "1 + 1",
                "display(html(\"<h3>Stratus</h3>\"))",
                "%lsmagic",
                "int ok = 1;\nString s = 42;",
                "throw new IllegalStateException(\"no bucket configured\")",
                "%time Thread.sleep(20)",
                "record Job(String name, int instances) { }",
                "new Job(\"xgboost\", 2).instances()").write(temp.resolve("features.ipynb"));

        JsonObject executed = Jupyter.executeNotebook(jupyterPath, notebook, temp.resolve("out"));

        assertEquals("2", resultText(cellOutputs(executed, 0)));
        JsonObject display = outputsOfType(cellOutputs(executed, 1), "display_data").get(0);
        assertEquals("<h3>Stratus</h3>", mimeText(display, "text/html"));
        assertTrue(resultText(cellOutputs(executed, 2)).contains("%maven"));
        assertEquals("CompilationException", ename(cellOutputs(executed, 3)));
        assertTrue(evalue(cellOutputs(executed, 3)).startsWith("line 2, column 12: incompatible types"),
                evalue(cellOutputs(executed, 3)));
        assertEquals("IllegalStateException", ename(cellOutputs(executed, 4)));
        assertEquals("no bucket configured", evalue(cellOutputs(executed, 4)));
        assertTrue(stdout(cellOutputs(executed, 5)).contains("Wall time: "));
        assertNull(ename(cellOutputs(executed, 6)));
        assertEquals("2", resultText(cellOutputs(executed, 7)));
    }

    @Test
    void theDemoRunsTheKernelTourCleanWithOutputInEveryCell() throws Exception {
        Jupyter.ProcessResult demo = Jupyter.exec(List.of(Jupyter.repoRoot().resolve("stratus").toString(), "demo"),
                Map.of(), Jupyter.repoRoot(), Duration.ofMinutes(10));
        assertEquals(0, demo.exitCode(), demo.outputTail());
        Matcher printed = Pattern.compile("executed notebook: (.+\\.ipynb)\\n.*HTML: (.+\\.html)", Pattern.DOTALL)
                .matcher(demo.stdout());
        assertTrue(printed.find(), demo.stdout());
        assertTrue(Files.size(Path.of(printed.group(2))) > 10_000, "the HTML has the outputs");
        JsonObject executed = Jupyter.readJson(Path.of(printed.group(1)));
        JsonArray cells = cells(executed);
        int code = 0;
        for (int i = 0; i < cells.size(); i++) {
            JsonObject cell = cells.get(i).getAsJsonObject();
            if (!cell.get("cell_type").getAsString().equals("code")) {
                continue;
            }
            code++;
            JsonArray outputs = cellOutputs(executed, i);
            assertFalse(outputs.isEmpty(), "cell " + i + " has output");
            for (JsonElement output : outputs) {
                assertFalse(output.getAsJsonObject().get("output_type").getAsString().equals("error"),
                        "cell " + i + ": " + output);
            }
        }
        assertTrue(code >= 10, "the tour has its code cells");
    }
}
