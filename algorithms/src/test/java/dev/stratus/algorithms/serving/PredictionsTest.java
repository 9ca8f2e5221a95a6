package dev.stratus.algorithms.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Predictions as text: each record's values in order, numbers as their shortest decimal in CSV and JSON alike. */
class PredictionsTest {

    @Test
    void csvWritesARecordALineItsValuesAndListItemsInOrder() throws Exception {
        Map<String, Object> labelled = new LinkedHashMap<>();
        labelled.put("predicted_label", 1);
        labelled.put("score", 0.75f);
        List<Map<String, Object>> predictions = List.of(labelled, Map.of("score", List.of(0.25f, 0.5f, 0.25f)),
                Map.of("score", -2.5));
        assertEquals("1,0.75\n0.25,0.5,0.25\n-2.5\n", Predictions.encode(predictions, Predictions.CSV).text());
    }

    @Test
    void numbersAreTheShortestDecimalThatReadsBackAsTheSameValue() throws Exception {
        // Java 17's Float.toString writes 3.3554448E7 for this float; 3.355445E7 is shorter and reads back the same.
        float value = Float.intBitsToFloat(0x4c000004);
        String csv = Predictions.encode(List.of(Map.of("score", value)), Predictions.CSV).text().strip();
        assertEquals("3.355445E7", csv);
        assertEquals(value, Float.parseFloat(csv));
        assertEquals("{\"score\":3.355445E7}\n",
                Predictions.encode(List.of(Map.of("score", value)), Predictions.JSON_LINES).text());
    }
}
