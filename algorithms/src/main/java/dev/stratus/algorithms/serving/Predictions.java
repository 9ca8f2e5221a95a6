package dev.stratus.algorithms.serving;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Predictions written as SageMaker's built-in algorithms write them, one map per record (for example
 * {@code {"score": 0.93, "predicted_label": 1}}):
 * <ul>
 *   <li>{@code application/json}: {@code {"predictions": [{...}, ...]}};</li>
 *   <li>{@code application/jsonlines}: one {@code {...}} a line;</li>
 *   <li>{@code text/csv}: one line a record, its values in order (a list's items in turn).</li>
 * </ul>
 */
public final class Predictions {

    public static final String CSV = "text/csv";
    public static final String JSON = "application/json";
    public static final String JSON_LINES = "application/jsonlines";

    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    private Predictions() {
    }

    /**
     * The type to answer with: the first of {@code offered} that {@code accept} asks for, by quality
     * ({@code q}); the first offered (the algorithm's default) when {@code accept} is absent or {@code *}{@code /*}.
     */
    public static String negotiate(String accept, List<String> offered) throws InferenceError {
        if (accept == null || accept.isBlank()) {
            return offered.get(0);
        }
        List<String[]> ranges = new ArrayList<>();
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            double quality = 1;
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].trim();
                if (parameter.startsWith("q=")) {
                    try {
                        quality = Double.parseDouble(parameter.substring(2));
                    } catch (NumberFormatException e) {
                        quality = 0;
                    }
                }
            }
            if (quality > 0) {
                ranges.add(new String[] {parts[0].trim().toLowerCase(Locale.ROOT), Double.toString(quality)});
            }
        }
        ranges.sort(Comparator.comparingDouble((String[] range) -> Double.parseDouble(range[1])).reversed());
        for (String[] range : ranges) {
            for (String type : offered) {
                if (matches(range[0], type)) {
                    return type;
                }
            }
        }
        throw InferenceError.notAcceptable(accept, offered);
    }

    private static boolean matches(String range, String type) {
        if (range.equals("*/*") || range.equals(type)) {
            return true;
        }
        return range.endsWith("/*") && type.startsWith(range.substring(0, range.length() - 1));
    }

    /**
     * A value as text: a number as the shortest decimal that reads back as the same value, as Java 19 and later write
     * it (Java 17's {@code Float.toString} sometimes writes a digit more); jackson-core's writer, which is also several
     * times faster, and the one {@link #MAPPER} uses for JSON.
     */
    private static String text(Object value) {
        if (value instanceof Float f) {
            return NumberOutput.toString(f, true);
        }
        return value instanceof Double d ? NumberOutput.toString(d, true) : String.valueOf(value);
    }

    /** The records' predictions as {@code type}: one of {@link #CSV}, {@link #JSON}, {@link #JSON_LINES}. */
    public static InferenceResponse encode(List<Map<String, Object>> predictions, String type) throws JsonProcessingException {
        StringBuilder body = new StringBuilder(predictions.size() * 24);
        switch (type) {
            case JSON -> body.append(MAPPER.writeValueAsString(Map.of("predictions", predictions)));
            case JSON_LINES -> {
                for (Map<String, Object> prediction : predictions) {
                    body.append(MAPPER.writeValueAsString(prediction)).append('\n');
                }
            }
            case CSV -> {
                for (Map<String, Object> prediction : predictions) {
                    // Each value followed by a comma; the line's last comma becomes its newline.
                    int line = body.length();
                    for (Object value : prediction.values()) {
                        if (value instanceof List<?> items) {
                            items.forEach(item -> body.append(text(item)).append(','));
                        } else {
                            body.append(text(value)).append(',');
                        }
                    }
                    if (body.length() > line) {
                        body.setCharAt(body.length() - 1, '\n');
                    } else {
                        body.append('\n'); // a record with no values is an empty line
                    }
                }
            }
            default -> throw new IllegalArgumentException("no encoding for " + type);
        }
        return InferenceResponse.of(body.toString(), type);
    }
}
