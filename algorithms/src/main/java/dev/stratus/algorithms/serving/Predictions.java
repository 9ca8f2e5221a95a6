package dev.stratus.algorithms.serving;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

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

    private static final ObjectMapper MAPPER = new ObjectMapper();

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
                    StringJoiner line = new StringJoiner(",");
                    for (Object value : prediction.values()) {
                        if (value instanceof List<?> items) {
                            items.forEach(item -> line.add(String.valueOf(item)));
                        } else {
                            line.add(String.valueOf(value));
                        }
                    }
                    body.append(line).append('\n');
                }
            }
            default -> throw new IllegalArgumentException("no encoding for " + type);
        }
        return InferenceResponse.of(body.toString(), type);
    }
}
