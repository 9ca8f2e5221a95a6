package dev.stratus.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import io.github.spencerpark.jupyter.messages.request.HistoryRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CellHistoryTest {

    private final CellHistory history = new CellHistory();

    @BeforeEach
    void runCells() {
        history.add(1, "int x = 1;");
        history.add(2, "x + 1");
        history.add(3, "%lsmagic");
        history.add(4, "x + 1");
        history.add(5, "String s = \"a?b\";");
    }

    @Test
    void tailIsTheLastCellsOldestFirst() {
        assertEquals(List.of(3, 4, 5), numbers(new HistoryRequest.Tail(false, true, 3)));
        assertEquals(List.of(1, 2, 3, 4, 5), numbers(new HistoryRequest.Tail(false, true, 1000)));
        assertEquals(List.of(), numbers(new HistoryRequest.Tail(false, true, 0)));
    }

    @Test
    void rangeIsFromStartUpToStopInThisSessionOnly() {
        assertEquals(List.of(2, 3), numbers(new HistoryRequest.Range(false, true, 0, 2, 4)));
        assertEquals(List.of(2, 3), numbers(new HistoryRequest.Range(false, true, CellHistory.SESSION, 2, 4)));
        assertEquals(List.of(4, 5), numbers(new HistoryRequest.Range(false, true, 0, 4, 0)));
        assertEquals(List.of(), numbers(new HistoryRequest.Range(false, true, 7, 1, 4)));
    }

    @Test
    void searchMatchesWholeInputsAgainstAGlob() {
        assertEquals(List.of(2, 4), numbers(new HistoryRequest.Search(false, true, 0, "x*", false)));
        assertEquals(List.of(4), numbers(new HistoryRequest.Search(false, true, 1, "x*", false)));
        assertEquals(List.of(4), numbers(new HistoryRequest.Search(false, true, 0, "x*", true)));
        assertEquals(List.of(2, 4), numbers(new HistoryRequest.Search(false, true, 0, "x ? 1", false)));
        assertEquals(List.of(5), numbers(new HistoryRequest.Search(false, true, 0, "*\"a?b\"*", false)));
        assertEquals(List.of(), numbers(new HistoryRequest.Search(false, true, 0, "1", false)));
        assertEquals(List.of(1, 3, 4, 5), numbers(new HistoryRequest.Search(false, true, 0, "*", true)));
    }

    @Test
    void cellsAreKeptAsTyped() {
        assertEquals(List.of(new CellHistory.Cell(3, "%lsmagic")), history.lookUp(new HistoryRequest.Range(false, true, 0, 3, 4)));
    }

    private List<Integer> numbers(HistoryRequest request) {
        return history.lookUp(request).stream().map(CellHistory.Cell::number).toList();
    }
}
