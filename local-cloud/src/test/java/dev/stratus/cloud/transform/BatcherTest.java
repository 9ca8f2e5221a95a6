package dev.stratus.cloud.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.stratus.cloud.server.JsonRpc;
import dev.stratus.cloud.transform.Batcher.Batch;

/** How objects are cut into requests: both ways of packing MultiRecord requests agree, record for record. */
class BatcherTest {

    private static final String OBJECT = "s3://b/rows.csv";

    /** The requests of {@code text}; {@code filter} makes the batcher read record by record (an InputFilter of "$[0:]"). */
    static List<Batch> batches(String text, boolean multiRecord, int limitBytes, boolean filter) throws IOException {
        String processing = filter ? ", \"DataProcessing\": {\"InputFilter\": \"$[0:]\"}" : "";
        DataProcessing data = new DataProcessing(JsonRpc.JSON.readTree("{\"TransformInput\": {\"ContentType\": \"text/csv\"}"
                + processing + "}"));
        Batcher batcher = new Batcher(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), OBJECT, true, multiRecord,
                limitBytes, data);
        List<Batch> batches = new ArrayList<>();
        Batch batch;
        while ((batch = batcher.next()) != null) {
            batches.add(batch);
        }
        return batches;
    }

    static String payloads(List<Batch> batches) {
        StringBuilder all = new StringBuilder();
        batches.forEach(b -> all.append(new String(b.payload(), StandardCharsets.UTF_8)).append('|'));
        return all.toString();
    }

    @Test
    void multiRecordPacksWholeLinesUpToTheLimit() throws Exception {
        for (boolean filter : new boolean[] {false, true}) {
            List<Batch> batches = batches("1,2\n3,4\n5,6\n7,8", true, 8, filter);
            assertEquals("1,2\n3,4\n|5,6\n7,8\n|", payloads(batches), "filter " + filter);
            assertArrayEquals(new int[] {1, 2}, batches.get(0).lines());
            assertArrayEquals(new int[] {3, 4}, batches.get(1).lines());
        }
    }

    @Test
    void blankLinesAndCarriageReturnsAreDropped() throws Exception {
        for (boolean filter : new boolean[] {false, true}) {
            List<Batch> batches = batches("1,2\r\n\r\n3,4\n  \n5,6\n7,8", true, 8, filter);
            assertEquals("1,2\n3,4\n5,6\n7,8\n", payloads(batches).replace("|", ""), "filter " + filter);
            assertEquals(List.of(1, 3, 5, 6), batches.stream().flatMapToInt(b -> IntStream.of(b.lines())).boxed().toList());
        }
    }

    @Test
    void singleRecordSendsEachRecordAlone() throws Exception {
        List<Batch> batches = batches("1,2\n\n3,4\n", false, 8, false);
        assertEquals("1,2|3,4|", payloads(batches));
        assertArrayEquals(new int[] {3}, batches.get(1).lines());
    }

    @Test
    void aRecordLargerThanTheLimitFailsNamingIt() {
        for (boolean filter : new boolean[] {false, true}) {
            TransformFailure failure = assertThrows(TransformFailure.class, () -> batches("1,2\n123456789\n", true, 8, filter));
            assertTrue(failure.getMessage().startsWith("ClientError: s3://b/rows.csv: the record at line 2 is "),
                    failure.getMessage());
        }
    }
}
