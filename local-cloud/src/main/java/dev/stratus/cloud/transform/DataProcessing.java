package dev.stratus.cloud.transform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.JsonPathException;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;

import dev.stratus.cloud.server.JsonRpc;

/**
 * A transform job's {@code DataProcessing}, record by record, as SageMaker applies it:
 * <ul>
 *   <li>{@code InputFilter} (JSONPath) selects what of each input record the model gets;</li>
 *   <li>{@code JoinSource Input} joins each prediction to its input record as it was read (before the InputFilter): a
 *       CSV line gets {@code ,<prediction>} appended; a JSON object gets the prediction under {@code "SageMakerOutput"}
 *       (any other JSON value becomes {@code {"SageMakerInput": ..., "SageMakerOutput": ...}});</li>
 *   <li>{@code OutputFilter} (JSONPath) selects what of the joined record (or of the prediction alone, without a join)
 *       is written.</li>
 * </ul>
 * A CSV record is read as a JSON array of its fields (as text), so {@code $[1:]} drops the first column and
 * {@code $[0,-1]} keeps the first and the last; what a filter selects from it is written back as CSV. A JSON prediction
 * joined to JSON is kept as JSON; the model must answer JSON (or JSON Lines) for JSON input and CSV for CSV input.
 */
final class DataProcessing {

    /** The record formats DataProcessing reads. */
    enum Format {
        CSV, JSON, OTHER;

        /** The format of a media type ({@code text/csv}, {@code application/json}, {@code application/jsonlines}, ...). */
        static Format of(String contentType) {
            String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (type.equals("text/csv")) {
                return CSV;
            }
            return type.equals("application/json") || type.contains("jsonlines") || type.equals("application/json-lines")
                    ? JSON : OTHER;
        }
    }

    private static final Configuration JACKSON = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider(JsonRpc.JSON))
            .mappingProvider(new JacksonMappingProvider(JsonRpc.JSON))
            .build();

    private final JsonPath inputFilter;
    private final JsonPath outputFilter;
    private final boolean join;
    private final Format input;

    /** From a job's description, whose filters {@link #compile} has already checked. */
    DataProcessing(JsonNode job) {
        JsonNode processing = job.path("DataProcessing");
        this.inputFilter = compile(processing.path("InputFilter").asText("$"));
        this.outputFilter = compile(processing.path("OutputFilter").asText("$"));
        this.join = processing.path("JoinSource").asText("None").equals("Input");
        this.input = Format.of(job.path("TransformInput").path("ContentType").asText(null));
    }

    /** A filter, or null for "$" (everything); an invalid one is an {@link InvalidPathException}. */
    static JsonPath compile(String expression) {
        return expression.isBlank() || expression.equals("$") ? null : JsonPath.compile(expression);
    }

    boolean filtersInput() {
        return inputFilter != null;
    }

    boolean joins() {
        return join;
    }

    /** Whether each record's prediction is rewritten: joined or filtered. */
    boolean rewritesOutput() {
        return join || outputFilter != null;
    }

    /** What the model gets of {@code record}, line {@code line} of {@code object} (which name it in failures). */
    byte[] input(byte[] record, String object, int line) {
        if (inputFilter == null) {
            return record;
        }
        Supplier<String> where = () -> object + ", line " + line;
        return write(select(inputFilter, read(record, input, where, "input record"), "InputFilter", where), input);
    }

    /**
     * What is written for one record: its prediction {@code output} (in the {@code answered} format), joined to
     * {@code record} as read when the job joins, then filtered.
     */
    byte[] output(byte[] record, byte[] output, Format answered, String object, int line) {
        Supplier<String> where = () -> object + ", line " + line;
        Format format = join ? input : answered;
        if (join && answered != input) {
            throw new TransformFailure("ClientError: " + where.get() + ": JoinSource Input joins CSV predictions to CSV input"
                    + " and JSON to JSON, and the model answered " + answered + " for " + input + " input: set"
                    + " TransformOutput.Accept to " + (input == Format.CSV ? "text/csv" : "application/jsonlines"));
        }
        if (format == Format.OTHER) {
            throw new TransformFailure("ClientError: " + where.get() + ": OutputFilter reads CSV or JSON predictions, and the"
                    + " model answered neither: set TransformOutput.Accept to text/csv or application/jsonlines");
        }
        if (join && format == Format.CSV && outputFilter == null) {
            return concat(record, output);
        }
        JsonNode joined;
        if (!join) {
            joined = read(output, format, where, "prediction");
        } else if (format == Format.CSV) {
            joined = read(concat(record, output), Format.CSV, where, "input record");
        } else {
            JsonNode in = read(record, Format.JSON, where, "input record");
            JsonNode prediction = read(output, Format.JSON, where, "prediction");
            ObjectNode both;
            if (in.isObject()) {
                both = (ObjectNode) in;
            } else {
                both = JsonRpc.JSON.createObjectNode();
                both.set("SageMakerInput", in);
            }
            both.set("SageMakerOutput", prediction);
            joined = both;
        }
        return write(outputFilter == null ? joined : select(outputFilter, joined, "OutputFilter", where), format);
    }

    private static JsonNode select(JsonPath filter, JsonNode record, String which, Supplier<String> where) {
        try {
            Object selected = filter.read(record, JACKSON);
            return selected instanceof JsonNode node ? node : JsonRpc.JSON.valueToTree(selected);
        } catch (JsonPathException e) {
            throw new TransformFailure("ClientError: " + where.get() + ": " + which + " " + filter.getPath() + " selects nothing"
                    + " in " + abbreviate(record.toString()) + " (" + e.getMessage() + "): fix " + which);
        }
    }

    private static JsonNode read(byte[] bytes, Format format, Supplier<String> where, String what) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (format == Format.CSV) {
            return Csv.row(text);
        }
        try {
            return JsonRpc.JSON.readTree(text);
        } catch (IOException e) {
            throw new TransformFailure("ClientError: " + where.get() + ": the " + what + " " + abbreviate(text) + " is not JSON: "
                    + e.getMessage().lines().findFirst().orElse("") + ": send JSON records with a JSON ContentType");
        }
    }

    private static byte[] write(JsonNode value, Format format) {
        String text = format == Format.CSV ? Csv.line(value) : value.toString();
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] record, byte[] output) {
        byte[] joined = new byte[record.length + 1 + output.length];
        System.arraycopy(record, 0, joined, 0, record.length);
        joined[record.length] = ',';
        System.arraycopy(output, 0, joined, record.length + 1, output.length);
        return joined;
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }

    /** CSV lines as JSON arrays of their fields' text, and back; fields in double quotes may hold commas and quotes. */
    static final class Csv {

        private Csv() {
        }

        static ArrayNode row(String line) {
            ArrayNode row = JsonRpc.JSON.createArrayNode();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        field.append(c);
                    }
                } else if (c == '"' && field.isEmpty()) {
                    quoted = true;
                } else if (c == ',') {
                    row.add(field.toString());
                    field.setLength(0);
                } else {
                    field.append(c);
                }
            }
            row.add(field.toString());
            return row;
        }

        /** An array's items (or a single value) as one CSV line. */
        static String line(JsonNode value) {
            if (!value.isArray()) {
                return field(value);
            }
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < value.size(); i++) {
                line.append(i == 0 ? "" : ",").append(field(value.get(i)));
            }
            return line.toString();
        }

        private static String field(JsonNode value) {
            String text = value.isValueNode() ? value.asText() : value.toString();
            return text.contains(",") || text.contains("\"") || text.contains("\n")
                    ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
        }
    }
}
