package dev.stratus.cloud.sagemaker;

import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.stratus.cloud.s3.S3Uri;
import dev.stratus.cloud.server.AwsException;

/** Request checks with SageMaker's words: required members, name rules and constraints. */
public final class Requests {

    /** SageMaker's rule for model, endpoint configuration, endpoint and variant names. */
    public static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$");
    public static final Pattern ROLE_ARN = Pattern.compile("^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$");

    private Requests() {
    }

    public static JsonNode required(JsonNode node, String field, String path) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            throw AwsException.validation("1 validation error detected: Value null at '" + path
                    + "' failed to satisfy constraint: Member must not be null");
        }
        return value;
    }

    /** A required name that follows {@link #NAME}. */
    public static String name(JsonNode node, String field, String path) {
        String name = required(node, field, path).asText();
        if (!NAME.matcher(name).matches()) {
            throw constraint(name, path, "Member must satisfy regular expression pattern: " + NAME.pattern());
        }
        return name;
    }

    public static S3Uri s3(String uri, String path) {
        try {
            return S3Uri.parse(uri, path);
        } catch (IllegalArgumentException e) {
            throw AwsException.validation("1 validation error detected: " + e.getMessage());
        }
    }

    public static AwsException constraint(String value, String path, String constraint) {
        return AwsException.validation("1 validation error detected: Value '" + value + "' at '" + path
                + "' failed to satisfy constraint: " + constraint);
    }
}
