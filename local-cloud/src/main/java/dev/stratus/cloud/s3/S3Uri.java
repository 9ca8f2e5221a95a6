package dev.stratus.cloud.s3;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An {@code s3://bucket/key-or-prefix} address. */
public record S3Uri(String bucket, String key) {

    private static final Pattern URI = Pattern.compile("^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/(.*))?$");

    /** Parses {@code text}; the message of a bad one names the field it came from. */
    public static S3Uri parse(String text, String field) {
        Matcher m = text == null ? null : URI.matcher(text);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("Value '" + text + "' at '" + field
                    + "' failed to satisfy constraint: Member must be an S3 URI like s3://bucket/prefix");
        }
        String key = m.group(2) == null ? "" : m.group(2);
        // S3 takes ".." as two characters of a key; the local store keeps objects as files, where it would climb out.
        if (Arrays.asList(key.split("/", -1)).contains("..")) {
            throw new IllegalArgumentException("Value '" + text + "' at '" + field + "' failed to satisfy constraint: Member"
                    + " must be an S3 URI without a '..' segment locally, where objects are files: name the prefix without it");
        }
        return new S3Uri(m.group(1), key);
    }

    /** This prefix with {@code child} appended as a key below it. */
    public S3Uri resolve(String child) {
        String base = key.isEmpty() || key.endsWith("/") ? key : key + "/";
        return new S3Uri(bucket, base + child);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
