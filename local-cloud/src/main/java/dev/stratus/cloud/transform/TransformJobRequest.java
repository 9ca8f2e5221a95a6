package dev.stratus.cloud.transform;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.jayway.jsonpath.InvalidPathException;

import dev.stratus.cloud.s3.S3Uri;
import dev.stratus.cloud.sagemaker.Requests;
import dev.stratus.cloud.server.AwsException;

/**
 * CreateTransformJob's checks, as SageMaker makes them, plus what cannot run locally: each refusal is one
 * ValidationException that names the problem and the fix.
 */
final class TransformJobRequest {

    private TransformJobRequest() {
    }

    static void check(JsonNode request) {
        Requests.name(request, "TransformJobName", "transformJobName");
        Requests.required(request, "ModelName", "modelName");
        int concurrency = request.path("MaxConcurrentTransforms").asInt(0);
        if (concurrency < 0) {
            throw Requests.constraint(request.path("MaxConcurrentTransforms").asText(), "maxConcurrentTransforms",
                    "Member must have value greater than or equal to 0");
        }
        if (request.hasNonNull("MaxPayloadInMB")) {
            int payload = request.path("MaxPayloadInMB").asInt();
            if (payload < 0 || payload > BatchSettings.MAX_PAYLOAD_MB) {
                throw Requests.constraint(request.path("MaxPayloadInMB").asText(), "maxPayloadInMB",
                        "Member must have value less than or equal to 100 and greater than or equal to 0: give 1 to 100");
            }
            if (payload == 0) {
                throw AwsException.validation("MaxPayloadInMB 0 (records streamed with HTTP chunked encoding) is not supported"
                        + " locally: give a limit from 1 to 100");
            }
            if (concurrency > 0 && concurrency * payload > BatchSettings.MAX_PAYLOAD_MB) {
                throw AwsException.validation("MaxConcurrentTransforms (" + concurrency + ") x MaxPayloadInMB (" + payload + ") is "
                        + concurrency * payload + " MB, more than the 100 MB in flight an instance allows: lower either");
            }
        }
        oneOf(request, "BatchStrategy", "batchStrategy", List.of("MultiRecord", "SingleRecord"), List.of());
        if (request.has("DataCaptureConfig")) {
            throw AwsException.validation("DataCaptureConfig is not supported locally: leave it out");
        }
        for (var variable : (Iterable<Map.Entry<String, JsonNode>>) request.path("Environment")::fields) {
            if (!variable.getValue().isTextual()) {
                throw AwsException.validation("Environment variable " + variable.getKey() + " must be a string: quote its value");
            }
        }

        JsonNode input = Requests.required(request, "TransformInput", "transformInput");
        JsonNode source = input.path("DataSource").path("S3DataSource");
        if (source.isMissingNode()) {
            throw AwsException.validation("TransformInput.DataSource needs S3DataSource: other data sources are not supported"
                    + " locally");
        }
        Requests.required(source, "S3DataType", "transformInput.dataSource.s3DataSource.s3DataType");
        oneOf(source, "S3DataType", "transformInput.dataSource.s3DataSource.s3DataType", List.of("S3Prefix", "ManifestFile"),
                List.of("AugmentedManifestFile"));
        Requests.s3(Requests.required(source, "S3Uri", "transformInput.dataSource.s3DataSource.s3Uri").asText(),
                "transformInput.dataSource.s3DataSource.s3Uri");
        oneOf(input, "CompressionType", "transformInput.compressionType", List.of("None", "Gzip"), List.of());
        oneOf(input, "SplitType", "transformInput.splitType", List.of("None", "Line"), List.of("RecordIO", "TFRecord"));

        JsonNode output = Requests.required(request, "TransformOutput", "transformOutput");
        S3Uri outputPath = Requests.s3(Requests.required(output, "S3OutputPath", "transformOutput.s3OutputPath").asText(),
                "transformOutput.s3OutputPath");
        if (outputPath.key().startsWith("/") || ("/" + outputPath.key() + "/").contains("/../")) {
            throw AwsException.validation("S3OutputPath " + outputPath + " has a '..' segment: name the output prefix without one");
        }
        oneOf(output, "AssembleWith", "transformOutput.assembleWith", List.of("None", "Line"), List.of());

        JsonNode resources = Requests.required(request, "TransformResources", "transformResources");
        Requests.required(resources, "InstanceType", "transformResources.instanceType");
        if (Requests.required(resources, "InstanceCount", "transformResources.instanceCount").asInt() < 1) {
            throw Requests.constraint(resources.path("InstanceCount").asText(), "transformResources.instanceCount",
                    "Member must have value greater than or equal to 1");
        }

        JsonNode client = request.path("ModelClientConfig");
        int timeout = client.path("InvocationsTimeoutInSeconds").asInt(1);
        if (timeout < 1 || timeout > 3600) {
            throw Requests.constraint(client.path("InvocationsTimeoutInSeconds").asText(),
                    "modelClientConfig.invocationsTimeoutInSeconds", "Member must have value between 1 and 3600");
        }
        int retries = client.path("InvocationsMaxRetries").asInt(0);
        if (retries < 0 || retries > 3) {
            throw Requests.constraint(client.path("InvocationsMaxRetries").asText(), "modelClientConfig.invocationsMaxRetries",
                    "Member must have value between 0 and 3");
        }
        dataProcessing(request);
    }

    /** Filters must be JSONPath, and joins and filters need records of a format they read. */
    private static void dataProcessing(JsonNode request) {
        JsonNode processing = request.path("DataProcessing");
        for (String filter : List.of("InputFilter", "OutputFilter")) {
            String expression = processing.path(filter).asText("$");
            try {
                DataProcessing.compile(expression);
            } catch (InvalidPathException e) {
                throw AwsException.validation("DataProcessing." + filter + " '" + expression + "' is not a JSONPath expression ("
                        + e.getMessage().lines().findFirst().orElse("") + "): write one such as $[1:], $[0,-1] or $.features");
            }
        }
        oneOf(processing, "JoinSource", "dataProcessing.joinSource", List.of("None", "Input"), List.of());
        boolean filters = !processing.path("InputFilter").asText("$").equals("$")
                || !processing.path("OutputFilter").asText("$").equals("$");
        boolean joins = processing.path("JoinSource").asText("None").equals("Input");
        if (!filters && !joins) {
            return;
        }
        String contentType = request.path("TransformInput").path("ContentType").asText(null);
        DataProcessing.Format format = DataProcessing.Format.of(contentType);
        if (format == DataProcessing.Format.OTHER) {
            throw AwsException.validation("DataProcessing reads CSV and JSON records, and TransformInput.ContentType is "
                    + (contentType == null ? "not given" : contentType) + ": set it to text/csv, application/json or"
                    + " application/jsonlines");
        }
        if (format == DataProcessing.Format.CSV && !request.path("TransformInput").path("SplitType").asText("None").equals("Line")) {
            throw AwsException.validation("DataProcessing works on CSV record by record, and SplitType None makes the whole"
                    + " object one record: set TransformInput.SplitType to Line");
        }
        String accept = request.path("TransformOutput").path("Accept").asText(null);
        if (joins && accept != null && DataProcessing.Format.of(accept) != format) {
            throw AwsException.validation("JoinSource Input joins CSV predictions to CSV input and JSON to JSON, and Accept "
                    + accept + " does not match ContentType " + contentType + ": set TransformOutput.Accept to "
                    + (format == DataProcessing.Format.CSV ? "text/csv" : "application/jsonlines"));
        }
    }

    /** An optional enum member: one of {@code supported}; SageMaker's others ({@code notLocally}) are refused as such. */
    private static void oneOf(JsonNode node, String field, String path, List<String> supported, List<String> notLocally) {
        if (!node.hasNonNull(field)) {
            return;
        }
        String value = node.path(field).asText();
        if (notLocally.contains(value)) {
            throw AwsException.validation(field + " " + value + " is not supported locally: use " + String.join(" or ", supported));
        }
        if (!supported.contains(value)) {
            throw Requests.constraint(value, path, "Member must satisfy enum value set: " + supported);
        }
    }
}
