package dev.stratus.cloud.server;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The flat awsQuery parameters ({@code MetricData.member.2.Dimensions.member.1.Name=Host}) seen
 * from one structure inside them, so that a nested structure reads like a top-level one. Errors
 * name the full parameter path, as CloudWatch's do.
 */
public record Parameters(NavigableMap<String, String> all, String prefix) {

    public static Parameters of(Map<String, String> form) {
        return new Parameters(new TreeMap<>(form), "");
    }

    public String path(String name) {
        return prefix + name;
    }

    /** The value, or null when the parameter is absent. */
    public String text(String name) {
        return all.get(prefix + name);
    }

    public String required(String name) {
        String value = text(name);
        if (value == null || value.isEmpty()) {
            throw missing(path(name));
        }
        return value;
    }

    /** Whether the parameter is there, as a value or as a structure or list with members. */
    public boolean has(String name) {
        String key = prefix + name;
        String next = all.ceilingKey(key + ".");
        return all.containsKey(key) || next != null && next.startsWith(key + ".");
    }

    public Parameters structure(String name) {
        return new Parameters(all, prefix + name + ".");
    }

    /** The structures of a list: {@code name.member.1.}, {@code name.member.2.}, ... as long as they are there. */
    public List<Parameters> members(String name) {
        List<Parameters> members = new ArrayList<>();
        for (int i = 1; has(name + ".member." + i); i++) {
            members.add(structure(name + ".member." + i));
        }
        return members;
    }

    /** The values of a list of scalars. */
    public List<String> texts(String name) {
        List<String> values = new ArrayList<>();
        for (int i = 1; text(name + ".member." + i) != null; i++) {
            values.add(text(name + ".member." + i));
        }
        return values;
    }

    /** A number CloudWatch can store: see {@link #storable}. */
    public double number(String name) {
        return number(path(name), required(name));
    }

    public static double number(String path, String text) {
        try {
            return storable(path, Double.parseDouble(text));
        } catch (NumberFormatException e) {
            throw invalid("The value " + text + " for parameter " + path + " is not a number.");
        }
    }

    /** CloudWatch takes finite numbers from 2^-260 to 2^360 in size, and 0. */
    public static double storable(String path, double value) {
        double size = Math.abs(value);
        if (!Double.isFinite(value) || size > 0x1p360 || size != 0 && size < 0x1p-260) {
            throw invalid("The value " + value + " for parameter " + path
                    + " is invalid: CloudWatch takes finite numbers from 2^-260 to 2^360 in size, and 0.");
        }
        return value;
    }

    public int integer(String name) {
        String text = required(name);
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw invalid("The value " + text + " for parameter " + path(name) + " is not an integer.");
        }
    }

    /** An ISO-8601 time stamp, as the SDKs and the CLI send them. */
    public Instant time(String name) {
        String text = required(name);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw invalid("The value " + text + " for parameter " + path(name) + " is not an ISO-8601 time stamp.");
        }
    }

    /** A metric's {@code Dimensions} list as a name-sorted map: its identity does not depend on their order. */
    public SortedMap<String, String> dimensions() {
        List<Parameters> members = members("Dimensions");
        if (members.size() > 30) {
            throw invalid("The collection " + path("Dimensions") + " must not have more than 30 members.");
        }
        SortedMap<String, String> dimensions = new TreeMap<>();
        for (Parameters dimension : members) {
            if (dimensions.put(dimension.required("Name"), dimension.required("Value")) != null) {
                throw invalid("The dimension " + dimension.text("Name") + " appears twice in " + path("Dimensions") + ".");
            }
        }
        return dimensions;
    }

    public static AwsException missing(String path) {
        return new AwsException(400, "MissingParameter", "The parameter " + path + " is required.");
    }

    public static AwsException invalid(String message) {
        return new AwsException(400, "InvalidParameterValue", message);
    }

    public static AwsException combination(String message) {
        return new AwsException(400, "InvalidParameterCombination", message);
    }

    /** CloudWatch reports some checks (GetMetricData's, alarms') with this code. */
    public static AwsException validation(String message) {
        return new AwsException(400, "ValidationError", message);
    }
}
