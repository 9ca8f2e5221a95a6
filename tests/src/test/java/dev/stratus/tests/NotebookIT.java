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

import java.nio.file.Path;

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
    void theKernelTourRunsCleanWithOutputInEveryCell() {
        Path tour = Jupyter.repoRoot().resolve("notebooks/kernel-tour.ipynb");
        JsonObject executed = Jupyter.executeNotebook(jupyterPath, tour, temp.resolve("tour"));
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
