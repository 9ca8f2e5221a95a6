package dev.stratus.algorithms.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** SageMaker's inference contract over real HTTP, with a small model: the sum of a record's features times a weight. */
class ModelServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path modelDir;

    /** Reads its weight from {@code model/weight}; a record summing to -13 makes the model fail. */
    static final class WeightedSum extends RecordHandler {
        private float weight;

        WeightedSum() {
            super(List.of(Records.Format.CSV, Records.Format.JSON, Records.Format.JSON_LINES),
                    List.of(Predictions.JSON, Predictions.CSV, Predictions.JSON_LINES));
        }

        @Override
        public void load(Path modelDir) throws Exception {
            weight = Float.parseFloat(Files.readString(modelDir.resolve("weight")).strip());
        }

        @Override
        protected int features() {
            return 3;
        }

        @Override
        protected boolean missingValuesAllowed() {
            return false;
        }

        @Override
        protected List<Map<String, Object>> predict(float[] cells, int rows) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (int row = 0; row < rows; row++) {
                float sum = cells[3 * row] + cells[3 * row + 1] + cells[3 * row + 2];
                if (sum == -13) {
                    throw new IllegalStateException("unlucky record");
                }
                out.add(Map.of("score", sum * weight));
            }
            return out;
        }
    }

    private ServedModel serve() throws Exception {
        Files.writeString(modelDir.resolve("weight"), "2");
        return ServedModel.start(new WeightedSum(), modelDir);
    }

    @Test
    void pingAndExecutionParametersAnswerAsSageMakerAsks() throws Exception {
        try (ServedModel model = serve()) {
            assertEquals(200, model.get("/ping").statusCode());
            HttpResponse<String> parameters = model.get("/execution-parameters");
            assertEquals(200, parameters.statusCode());
            JsonNode json = JSON.readTree(parameters.body());
            assertEquals(2, json.get("MaxConcurrentTransforms").asInt());
            assertEquals("MULTI_RECORD", json.get("BatchStrategy").asText());
            assertEquals(6, json.get("MaxPayloadInMB").asInt());
            assertEquals(404, model.get("/predict").statusCode());
            assertEquals(405, model.get("/invocations").statusCode());
        }
    }

    @Test
    void everyRecordOfARequestIsPredictedInOrderInTheTypeAskedFor() throws Exception {
        try (ServedModel model = serve()) {
            HttpResponse<String> json = model.invoke("1,2,3\n4,5,6.5\n", "text/csv", null);
            assertEquals(200, json.statusCode(), json.body());
            assertEquals("application/json", json.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("{\"predictions\":[{\"score\":12.0},{\"score\":31.0}]}", json.body());

            HttpResponse<String> csv = model.invoke("{\"instances\": [{\"features\": [1, 1, 1]}, [0, 0, 1]]}", "application/json",
                    "text/csv");
            assertEquals("text/csv", csv.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("6.0\n2.0\n", csv.body());

            HttpResponse<String> lines = model.invoke("{\"features\": [1, 0, 0]}\n[0, 1, 0]\n", "application/jsonlines; charset=utf-8",
                    "text/html;q=0.9, application/jsonlines");
            assertEquals("{\"score\":2.0}\n{\"score\":2.0}\n", lines.body());

            assertEquals("application/json", model.invoke("1,1,1", "text/csv", "*/*").headers().firstValue("Content-Type").orElseThrow());
            assertEquals("text/csv", model.invoke("1,1,1", "text/csv", "text/*").headers().firstValue("Content-Type").orElseThrow());
        }
    }

    @Test
    void csvRecordsAreReadLineByLineAsStringLinesReadsThem() throws Exception {
        try (ServedModel model = serve()) {
            // CR, LF and CRLF end lines; blank lines are no records; cells are trimmed; values as Float.parseFloat reads them.
            HttpResponse<String> answer = model.invoke(" 1, 2 ,3\r\n\r\n \t \n1e1,0x1p1,+.5\r-2.5,0,1.00000005960464478", "text/csv",
                    "text/csv");
            assertEquals("12.0\n25.0\n" + (-2.5f + 0f + 1.0000001f) * 2 + "\n", answer.body());
            assertRefused(model.invoke("1,2,3\r\n \n1,2,3\r4,5,x\n", "text/csv", null), 400, "record 3: column 3: 'x' is not a number");
            // The first line's length is only a guess at how many records follow: longer or shorter lines may come after it.
            assertEquals("6.0\n".repeat(20_001), model.invoke("1,1,1\n" + " 1.0 , 1.0 , 1.0 \n".repeat(20_000), "text/csv", "text/csv").body());
            assertEquals("6.0\n".repeat(20_001), model.invoke(" 1.0 , 1.0 , 1.0 \n" + "1,1,1\n".repeat(20_000), "text/csv", "text/csv").body());
            // Every cell of a record is read, those past the model's width too, before its width is checked.
            assertRefused(model.invoke("1,2,3\n1,2,3,x\n", "text/csv", null), 400, "record 2: column 4: 'x' is not a number");
            assertRefused(model.invoke("1,2,3\n1,2,3,4,5\n", "text/csv", null), 400,
                    "record 2: expected 3 features, as the model was trained on, got 5");
        }
    }

    @Test
    void badRequestsGetTheirStatusAndAOneLineReasonAndTheServerGoesOn() throws Exception {
        try (ServedModel model = serve()) {
            assertRefused(model.invoke("1,2,3", "text/libsvm", null), 415,
                    "Content-Type text/libsvm is not supported: send one of text/csv, application/json, application/jsonlines");
            assertRefused(model.invoke("1,2,3", "application/octet-stream", null), 415, "Content-Type application/octet-stream");
            assertRefused(model.invoke("1,2,3", "text/csv", "image/png"), 406,
                    "Accept image/png cannot be answered: ask for one of application/json, text/csv, application/jsonlines");
            assertRefused(model.invoke("1,2,3\n1,2\n", "text/csv", null), 400,
                    "record 2: expected 3 features, as the model was trained on, got 2");
            assertRefused(model.invoke("1,2,3\n\n4,x,6\n", "text/csv", null), 400, "record 2: column 2: 'x' is not a number");
            assertRefused(model.invoke("1,,3\n", "text/csv", null), 400, "record 1: feature 2 has no value");
            assertRefused(model.invoke("{\"instances\": [[1, 2, 3], [1, \"two\", 3]]}", "application/json", null), 400,
                    "record 2: feature 2: \"two\" is not a number");
            assertRefused(model.invoke("{\"instances\": [1, 2", "application/json", null), 400, "the body is not valid JSON");
            assertRefused(model.invoke("\n\n", "text/csv", null), 400, "The request holds no records");
            assertRefused(model.invoke("-4,-4,-5\n", "text/csv", null), 500,
                    "The model failed: java.lang.IllegalStateException: unlucky record");

            assertEquals("{\"predictions\":[{\"score\":6.0}]}", model.invoke("1,1,1", "text/csv", null).body());
        }
    }

    @Test
    void aBodyAboveThePayloadLimitIsRefusedWith413() throws Exception {
        Files.writeString(modelDir.resolve("weight"), "1");
        try (ServedModel model = ServedModel.start(new WeightedSum(),
                new ServingSettings(0, modelDir, 1024 * 1024, 2, 2, "MULTI_RECORD", InetAddress.getLoopbackAddress()))) {
            String big = "1,1,1\n".repeat(200_000);
            assertRefused(model.invoke(big, "text/csv", null), 413,
                    "The request is larger than the payload limit of 1 MB: split it into smaller requests");
            assertEquals(200, model.invoke("1,1,1", "text/csv", null).statusCode());
            // Without a Content-Length (chunked), the limit is found while reading.
            assertRefused(model.invokeChunked(big, "text/csv"), 413,
                    "The request is larger than the payload limit of 1 MB: split it into smaller requests");
            HttpResponse<String> chunked = model.invokeChunked("1,1,1\n2,2,2\n", "text/csv");
            assertEquals(200, chunked.statusCode());
            assertEquals("{\"predictions\":[{\"score\":3.0},{\"score\":6.0}]}", chunked.body());
        }
    }

    @Test
    void aBodyCutShortOfItsContentLengthIsDroppedAndTheServerGoesOn() throws Exception {
        try (ServedModel model = serve()) {
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), model.uri("/").getPort())) {
                client.getOutputStream().write(("POST /invocations HTTP/1.1\r\nHost: model\r\nContent-Type: text/csv\r\n"
                        + "Content-Length: 100\r\n\r\n1,2,3\n").getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                client.setSoTimeout(5000);
                assertEquals(0, client.getInputStream().readAllBytes().length, "no answer to a request that never ended");
            }
            assertEquals("12.0\n", model.invoke("1,2,3", "text/csv", "text/csv").body());
        }
    }

    @Test
    void concurrentRequestsAreAnsweredEachWithItsOwnPredictions() throws Exception {
        try (ServedModel model = serve()) {
            ExecutorService clients = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> answers = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    int value = i;
                    answers.add(clients.submit(() -> model.invoke(value + ",0,0", "text/csv", "text/csv").body()));
                }
                for (int i = 0; i < answers.size(); i++) {
                    assertEquals((2.0f * i) + "\n", answers.get(i).get());
                }
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void theServerListensOnLoopbackOnly() throws Exception {
        try (ServedModel model = serve()) {
            int port = model.uri("/").getPort();
            try (Socket loopback = new Socket(InetAddress.getLoopbackAddress(), port)) {
                assertTrue(loopback.isConnected());
            }
            for (InetAddress address : InetAddress.getAllByName(InetAddress.getLocalHost().getHostName())) {
                if (!address.isLoopbackAddress()) {
                    assertThrows(java.io.IOException.class, () -> new Socket(address, port).close(), address.toString());
                }
            }
        }
    }

    @Test
    void aModelThatCannotLoadKeepsTheServerFromStarting() {
        Exception e = assertThrows(Exception.class, () -> ServedModel.start(new WeightedSum(), modelDir));
        assertTrue(e.getMessage().contains("weight"), e.getMessage());
    }

    @Test
    void badServingEnvironmentIsAOneLineError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServingSettings.fromEnvironment(Map.of("SAGEMAKER_BIND_TO_PORT", "http")));
        assertEquals("SAGEMAKER_BIND_TO_PORT='http' is not a whole number from 0 to 65535: fix or unset it in the model's Environment",
                e.getMessage());
        ServingSettings defaults = ServingSettings.fromEnvironment(Map.of("SAGEMAKER_BASE_DIR", "/srv/ml"));
        assertEquals(8080, defaults.port());
        assertEquals(Path.of("/srv/ml/model"), defaults.modelDir());
        assertEquals(6 * 1024 * 1024, defaults.maxPayloadBytes());
        assertFalse(defaults.workers() < 1);
        assertTrue(defaults.address().isLoopbackAddress());
        assertTrue(ServingSettings.fromEnvironment(Map.of("STRATUS_MODEL_SERVER_ADDRESS", "0.0.0.0")).address().isAnyLocalAddress(),
                "an image for SageMaker listens where the platform reaches it");
    }

    private static void assertRefused(HttpResponse<String> response, int status, String reasonStart) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.body().startsWith(reasonStart), response.body());
        assertFalse(response.body().contains("\n"), response.body());
    }
}
