package dev.stratus.algorithms.builtin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.ContainerFixture;
import dev.stratus.algorithms.builtin.ChannelData.Layout;

/** The CSV reader that parses bytes where they lie: the same numbers as Float.parseFloat, the same lines and messages. */
class ChannelDataTest {

    @TempDir
    Path base;

    private ChannelData read(String csv) throws Exception {
        ContainerFixture job = new ContainerFixture(base).channel("train", "text/csv", Map.of("train.csv", csv));
        return ChannelData.read(job.context(), "train", Layout.CSV_LABEL_FEATURES, null);
    }

    @Test
    void everyNumberIsTheFloatThatFloatParseFloatGives() throws Exception {
        Random random = new Random(3);
        List<String> numbers = new ArrayList<>(List.of("0", "-0", "+7", "1.", ".5", "-.25", "1e5", "1E-5", "2.5e+3", "123456789012345678",
                "1234567890123456789012", "3.4028235e38", "1e-45", "1e-50", "NaN", "-Infinity", "1.5f", "0x1p3", "007.100"));
        for (int i = 0; i < 20_000; i++) {
            double value = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(20) - 10);
            numbers.add(switch (i % 4) {
                case 0 -> String.format(Locale.ROOT, "%.5f", value);
                case 1 -> String.format(Locale.ROOT, "%e", value);
                case 2 -> Double.toString(value);
                default -> Float.toString((float) value);
            });
        }
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i + 1 < numbers.size(); i += 2) {
            csv.append(numbers.get(i)).append(',').append(numbers.get(i + 1)).append('\n');
        }
        ChannelData data = read(csv.toString());

        float[] expected = new float[numbers.size() / 2 * 2];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Float.parseFloat(numbers.get(i));
        }
        float[] read = new float[expected.length];
        for (int row = 0; row < data.rows(); row++) {
            read[2 * row] = data.labels()[row];
            read[2 * row + 1] = data.dense()[row];
        }
        assertArrayEquals(expected, read);
    }

    @Test
    void linesAreReadAsTheyWereWritten() throws Exception {
        String wide = "1" + ",0.5".repeat(300_000); // longer than the reader's first buffer
        ChannelData data = read("1, 2 ,3\r\n\r\n   \n4,,6\n7,8,9");

        assertEquals(3, data.rows());
        assertArrayEquals(new float[] {1, 4, 7}, data.labels());
        assertArrayEquals(new float[] {2, 3, Float.NaN, 6, 8, 9}, data.dense());
        assertEquals("file train/train.csv, line 5", data.where(2));

        ChannelData oneWideRow = read(wide + "\n");
        assertEquals(1, oneWideRow.rows());
        assertEquals(300_000, oneWideRow.features());
    }

    @Test
    void badCellsAreNamedByFileLineAndColumn() {
        AlgorithmError number = assertThrows(AlgorithmError.class, () -> read("1,2,3\n\n4,5,x6\n"));
        assertEquals("ClientError: file train/train.csv, line 3, column 3: 'x6' is not a number", number.getMessage());
        AlgorithmError header = assertThrows(AlgorithmError.class, () -> read("label,a,b\n1,2,3\n"));
        assertTrue(header.getMessage().endsWith("(SageMaker's CSV and LIBSVM files have no header line)"), header.getMessage());
        AlgorithmError label = assertThrows(AlgorithmError.class, () -> read("1,2,3\n,2,3\n"));
        assertEquals("ClientError: file train/train.csv, line 2, column 1: '' is not a number", label.getMessage());
        AlgorithmError width = assertThrows(AlgorithmError.class, () -> read("1,2,3\n4,5\n"));
        assertEquals("ClientError: file train/train.csv, line 2: expected 3 columns, got 2", width.getMessage());
    }
}
