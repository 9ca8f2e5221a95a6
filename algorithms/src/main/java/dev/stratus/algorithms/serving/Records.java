package dev.stratus.algorithms.serving;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The records of a request body, in the formats SageMaker's built-in algorithms read, as one row-major
 * matrix of {@code features} columns: a batch to predict at once. An absent value (an empty CSV cell, a
 * LIBSVM index left out, a JSON null) is NaN.
 * <ul>
 *   <li>{@code text/csv}: a record a line, features only (no label, no header);</li>
 *   <li>{@code text/libsvm}: a record a line, {@code [label] index:value ...}, the label ignored;</li>
 *   <li>{@code application/json}: {@code {"instances": [{"features": [...]}, ...]}}, or one
 *       {@code {"features": [...]}}; an instance may also be a bare array;</li>
 *   <li>{@code application/jsonlines}: a {@code {"features": [...]}} or a bare array a line.</li>
 * </ul>
 */
public final class Records {

    /** A request format, by its media type. */
    public enum Format {
        CSV("text/csv"), LIBSVM("text/libsvm"), JSON("application/json"), JSON_LINES("application/jsonlines");

        private final String mediaType;

        Format(String mediaType) {
            this.mediaType = mediaType;
        }

        public String mediaType() {
            return mediaType;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Records() {
    }

    /** The format of a {@code Content-Type} (parameters such as {@code charset} ignored), if it is one of {@code accepted}. */
    public static Format format(String contentType, List<Format> accepted) throws InferenceError {
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        String canonical = switch (mediaType) {
            case "text/x-libsvm", "application/x-libsvm" -> "text/libsvm";
            case "application/json-lines", "application/x-jsonlines" -> "application/jsonlines";
            default -> mediaType;
        };
        for (Format format : accepted) {
            if (format.mediaType.equals(canonical)) {
                return format;
            }
        }
        throw InferenceError.unsupportedContentType(contentType, accepted.stream().map(Format::mediaType).toList());
    }

    /**
     * Reads every record of {@code body} as {@code features} values, row after row.
     *
     * @param missingAllowed whether a record may leave a value out; when false, such a record is refused
     */
    public static float[] parse(byte[] body, Format format, int features, boolean missingAllowed) throws InferenceError {
        Matrix matrix = new Matrix(features, missingAllowed);
        switch (format) {
            case CSV -> csv(body, matrix);
            case LIBSVM -> lines(text(body), (line, record) -> matrix.add(libsvm(line, record, features), record));
            case JSON -> json(text(body), matrix);
            case JSON_LINES -> lines(text(body), (line, record) -> matrix.add(jsonRecord(tree(line, "record " + record), record),
                    record));
        }
        if (matrix.rows == 0) {
            throw InferenceError.badRequest("The request holds no records: send at least one record (" + format.mediaType + ")");
        }
        return matrix.cells();
    }

    @FunctionalInterface
    private interface LineReader {
        void read(String line, int record) throws InferenceError;
    }

    /** Every non-blank line, numbered from 1 among the records. */
    private static void lines(String body, LineReader reader) throws InferenceError {
        int record = 0;
        for (String line : (Iterable<String>) body.lines()::iterator) {
            if (!line.isBlank()) {
                reader.read(line, ++record);
            }
        }
    }

    private static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * Every non-blank line of a CSV body, read where it lies in the bytes and straight into the matrix: a batch transform
     * request holds hundreds of thousands of records, and a String per line and per cell, or an array per record, cost
     * several times more (and a model server's first requests run before the JIT has compiled this). Lines end at a line
     * feed, a carriage return or both, as {@link String#lines} reads them; records are numbered from 1 among non-blank
     * lines.
     */
    private static void csv(byte[] body, Matrix matrix) throws InferenceError {
        int lineStart = 0;
        while (lineStart < body.length) {
            int lineEnd = lineStart;
            while (lineEnd < body.length && body[lineEnd] != '\n' && body[lineEnd] != '\r') {
                lineEnd++;
            }
            if (matrix.rows == 0) {
                // As many records as lines of this length would fill the body; a valid record takes at least a byte a
                // feature, which bounds the guess when the first line is short.
                matrix.reserve(Math.min(body.length / (lineEnd - lineStart + 1), body.length / Math.max(1, matrix.features)) + 1);
            }
            if (!blank(body, lineStart, lineEnd)) {
                csvRecord(body, lineStart, lineEnd, matrix);
            }
            lineStart = lineEnd + 1;
        }
    }

    /** One record's cells into the matrix's next row; an empty cell is NaN. */
    private static void csvRecord(byte[] body, int start, int end, Matrix matrix) throws InferenceError {
        int record = matrix.rows + 1;
        float[] cells = matrix.nextRow();
        int offset = matrix.rows * matrix.features;
        int column = 0;
        int cellStart = start;
        while (true) {
            int cellEnd = cellStart;
            while (cellEnd < end && body[cellEnd] != ',') {
                cellEnd++;
            }
            int from = CsvCells.trimmedStart(body, cellStart, cellEnd);
            int to = CsvCells.trimmedEnd(body, from, cellEnd);
            float value = from == to ? Float.NaN : number(body, from, to, record, column + 1);
            if (column < matrix.features) {
                cells[offset + column] = value;
            }
            column++;
            if (cellEnd == end) {
                break;
            }
            cellStart = cellEnd + 1;
        }
        matrix.endRow(column, record);
    }

    /** Whitespace only, as {@link String#isBlank} says of ASCII. */
    private static boolean blank(byte[] body, int start, int end) {
        for (int i = start; i < end; i++) {
            byte b = body[i];
            if (b != ' ' && (b < '\t' || b > '\r') && (b < 0x1c || b > 0x1f)) {
                return false;
            }
        }
        return true;
    }

    private static float number(byte[] body, int start, int end, int record, int column) throws InferenceError {
        try {
            return FloatText.parse(body, start, end);
        } catch (NumberFormatException e) {
            throw notANumber(new String(body, start, end - start, StandardCharsets.UTF_8), record, column);
        }
    }

    private static float[] libsvm(String line, int record, int features) throws InferenceError {
        float[] values = new float[features];
        Arrays.fill(values, Float.NaN);
        String[] tokens = line.trim().split("\\s+");
        // The first token is a label unless it is already index:value; a model server has no use for it.
        for (int i = tokens[0].contains(":") ? 0 : 1; i < tokens.length; i++) {
            int colon = tokens[i].indexOf(':');
            int index;
            try {
                index = colon > 0 ? Integer.parseInt(tokens[i].substring(0, colon)) : -1;
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0) {
                throw InferenceError.badRecord(record, "'" + tokens[i] + "' is not <index>:<value>");
            }
            if (index >= features) {
                throw InferenceError.badRecord(record, "feature index " + index + " is beyond the model's " + features
                        + " features (indices 0 to " + (features - 1) + ")");
            }
            values[index] = number(tokens[i].substring(colon + 1), record, i + 1);
        }
        return values;
    }

    private static void json(String body, Matrix matrix) throws InferenceError {
        JsonNode root = tree(body, "the body");
        JsonNode instances = root.isObject() && root.has("instances") ? root.get("instances") : null;
        if (instances == null) {
            matrix.add(jsonRecord(root, 1), 1);
            return;
        }
        if (!instances.isArray()) {
            throw InferenceError.badRequest("\"instances\" is not an array: send {\"instances\": [{\"features\": [...]}, ...]}");
        }
        for (int i = 0; i < instances.size(); i++) {
            matrix.add(jsonRecord(instances.get(i), i + 1), i + 1);
        }
    }

    private static float[] jsonRecord(JsonNode node, int record) throws InferenceError {
        JsonNode features = node.isObject() ? node.get("features") : node;
        if (features == null || !features.isArray()) {
            throw InferenceError.badRecord(record, "expected {\"features\": [numbers]} or [numbers], got " + abbreviate(node.toString()));
        }
        float[] values = new float[features.size()];
        for (int j = 0; j < values.length; j++) {
            JsonNode value = features.get(j);
            if (value.isNull()) {
                values[j] = Float.NaN;
            } else if (value.isNumber()) {
                values[j] = value.floatValue();
            } else {
                throw InferenceError.badRecord(record, "feature " + (j + 1) + ": " + abbreviate(value.toString()) + " is not a number");
            }
        }
        return values;
    }

    private static JsonNode tree(String text, String what) throws InferenceError {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw InferenceError.badRequest(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static float number(String text, int record, int column) throws InferenceError {
        try {
            return Float.parseFloat(text);
        } catch (NumberFormatException e) {
            throw notANumber(text, record, column);
        }
    }

    private static InferenceError notANumber(String text, int record, int column) {
        return InferenceError.badRecord(record, "column " + column + ": '" + abbreviate(text) + "' is not a number");
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }

    /** The records read so far, each checked against the model's width, row after row in one array. */
    private static final class Matrix {
        private final int features;
        private final boolean missingAllowed;
        private float[] cells = new float[64];
        private int rows;

        Matrix(int features, boolean missingAllowed) {
            this.features = features;
            this.missingAllowed = missingAllowed;
        }

        /** Room for about {@code records} rows at once, when a format can tell how many are coming. */
        void reserve(int records) {
            long wanted = (long) features * (records + records / 8 + 16);
            if (wanted > cells.length) {
                cells = Arrays.copyOf(cells, (int) Math.min(wanted, Integer.MAX_VALUE - 8));
            }
        }

        /** The array to write the next row into, from {@code rows * features}; {@link #endRow} then counts it. */
        float[] nextRow() {
            if ((rows + 1) * features > cells.length) {
                cells = Arrays.copyOf(cells, Math.max(cells.length * 2, (rows + 1) * features));
            }
            return cells;
        }

        /** Checks the row written after {@link #nextRow} ({@code values} cells read) and counts it. */
        void endRow(int values, int number) throws InferenceError {
            if (values != features) {
                throw InferenceError.badRecord(number, "expected " + features + " features, as the model was trained on, got "
                        + values);
            }
            if (!missingAllowed) {
                int offset = rows * features;
                for (int j = 0; j < features; j++) {
                    if (Float.isNaN(cells[offset + j])) {
                        throw InferenceError.badRecord(number, "feature " + (j + 1) + " has no value: this model needs every feature");
                    }
                }
            }
            rows++;
        }

        void add(float[] record, int number) throws InferenceError {
            float[] row = nextRow();
            System.arraycopy(record, 0, row, rows * features, Math.min(record.length, features));
            endRow(record.length, number);
        }

        float[] cells() {
            return cells.length == rows * features ? cells : Arrays.copyOf(cells, rows * features);
        }
    }
}
