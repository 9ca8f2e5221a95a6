package dev.stratus.cloud.endpoints;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.sagemaker.Requests;
import dev.stratus.cloud.sagemaker.Resources;
import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.JsonRpc;
import dev.stratus.cloud.state.Database;

/**
 * SageMaker's models and endpoint configurations: Create, Describe, List and Delete of each. They are records
 * only; {@link Endpoints} reads them when it deploys. As on SageMaker, an image or model archive is checked when
 * an endpoint is created from them, not here, and deleting one leaves running endpoints as they are.
 */
public final class Models {

    private final Resources models;
    private final Resources configs;

    public Models(Database db, String region) {
        this.models = new Resources(db, Resources.MODELS, region);
        this.configs = new Resources(db, Resources.ENDPOINT_CONFIGS, region);
    }

    /** The operations, by name, for the SageMaker service. */
    public Map<String, JsonRpc.Operation> operations() {
        Map<String, JsonRpc.Operation> operations = new LinkedHashMap<>();
        operations.put("CreateModel", this::createModel);
        operations.put("DescribeModel", r -> models.describe(Requests.required(r, "ModelName", "modelName").asText()));
        operations.put("ListModels", models::list);
        operations.put("DeleteModel", r -> delete(models, Requests.required(r, "ModelName", "modelName").asText()));
        operations.put("CreateEndpointConfig", this::createEndpointConfig);
        operations.put("DescribeEndpointConfig", r -> configs.describe(Requests.required(r, "EndpointConfigName",
                "endpointConfigName").asText()));
        operations.put("ListEndpointConfigs", configs::list);
        operations.put("DeleteEndpointConfig", r -> delete(configs, Requests.required(r, "EndpointConfigName",
                "endpointConfigName").asText()));
        return operations;
    }

    /** An endpoint configuration's Describe answer, or AWS's ValidationException naming it. */
    ObjectNode config(String name) {
        return configs.describe(name);
    }

    /** The one container a model runs: its PrimaryContainer, or the only entry of Containers. */
    public ObjectNode container(String modelName) {
        ObjectNode model = models.describe(modelName);
        return (ObjectNode) (model.has("PrimaryContainer") ? model.get("PrimaryContainer") : model.path("Containers").get(0));
    }

    private JsonNode createModel(JsonNode request) {
        String name = Requests.name(request, "ModelName", "modelName");
        JsonNode container = request.path("PrimaryContainer");
        String path = "primaryContainer";
        if (container.isMissingNode() || container.isNull()) {
            JsonNode containers = request.path("Containers");
            if (!containers.isArray() || containers.isEmpty()) {
                throw AwsException.validation("Either PrimaryContainer or Containers must be given: give PrimaryContainer"
                        + " with the Image (and ModelDataUrl) to serve");
            }
            if (containers.size() > 1) {
                throw AwsException.validation("Inference pipelines (" + containers.size() + " Containers) are not supported"
                        + " locally: give one container");
            }
            container = containers.get(0);
            path = "containers.1";
        }
        if (!container.path("ModelPackageName").isMissingNode() || !container.hasNonNull("Image")) {
            throw AwsException.validation("1 validation error detected: Value null at '" + path + ".image' failed to satisfy"
                    + " constraint: Member must not be null (model packages cannot run outside AWS: give the Image)");
        }
        if (container.path("Mode").asText("SingleModel").equals("MultiModel")) {
            throw AwsException.validation("Mode MultiModel is not supported locally: use SingleModel");
        }
        if (container.has("ModelDataSource")) {
            throw AwsException.validation("ModelDataSource is not supported locally: give ModelDataUrl, the s3:// URL of a"
                    + " model.tar.gz");
        }
        if (container.hasNonNull("ModelDataUrl")) {
            Requests.s3(container.path("ModelDataUrl").asText(), path + ".modelDataUrl");
        }
        for (var variable : (Iterable<Map.Entry<String, JsonNode>>) container.path("Environment")::fields) {
            if (!variable.getValue().isTextual()) {
                throw AwsException.validation("Environment variable " + variable.getKey() + " of " + path + " must be a string");
            }
        }
        if (request.hasNonNull("ExecutionRoleArn")
                && !Requests.ROLE_ARN.matcher(request.path("ExecutionRoleArn").asText()).matches()) {
            throw Requests.constraint(request.path("ExecutionRoleArn").asText(), "executionRoleArn",
                    "Member must satisfy regular expression pattern: " + Requests.ROLE_ARN.pattern());
        }
        ObjectNode description = request.deepCopy();
        description.remove("Tags");
        if (!description.has("EnableNetworkIsolation")) {
            description.put("EnableNetworkIsolation", false);
        }
        if (!models.insert(description, JsonRpc.JSON.createObjectNode())) {
            throw AwsException.resourceInUse("Cannot create already existing model \"" + models.arn(name) + "\".");
        }
        return JsonRpc.JSON.createObjectNode().put("ModelArn", models.arn(name));
    }

    private JsonNode createEndpointConfig(JsonNode request) {
        String name = Requests.name(request, "EndpointConfigName", "endpointConfigName");
        JsonNode variants = Requests.required(request, "ProductionVariants", "productionVariants");
        if (!variants.isArray() || variants.isEmpty() || variants.size() > 10) {
            throw Requests.constraint(variants.toString(), "productionVariants", "Member must have length less than or equal"
                    + " to 10 and greater than or equal to 1");
        }
        for (String unsupported : new String[] {"AsyncInferenceConfig", "ShadowProductionVariants", "ExplainerConfig"}) {
            if (request.has(unsupported)) {
                throw AwsException.validation(unsupported + " is not supported locally: leave it out");
            }
        }
        ObjectNode description = request.deepCopy();
        description.remove("Tags");
        Set<String> variantNames = new HashSet<>();
        double totalWeight = 0;
        for (JsonNode variant : description.path("ProductionVariants")) {
            String variantName = Requests.name(variant, "VariantName", "productionVariants.member.variantName");
            if (!variantNames.add(variantName)) {
                throw AwsException.validation("Variant names must be unique within an endpoint configuration, and "
                        + variantName + " appears more than once: rename one");
            }
            if (variant.has("ServerlessConfig")) {
                throw AwsException.validation("Production variant " + variantName + ": ServerlessConfig is not supported"
                        + " locally: give InstanceType and InitialInstanceCount");
            }
            String model = Requests.required(variant, "ModelName", "productionVariants.member.modelName").asText();
            models.describe(model);
            Requests.required(variant, "InstanceType", "productionVariants.member.instanceType");
            int count = Requests.required(variant, "InitialInstanceCount", "productionVariants.member.initialInstanceCount").asInt();
            if (count < 1) {
                throw Requests.constraint(Integer.toString(count), "productionVariants.member.initialInstanceCount",
                        "Member must have value greater than or equal to 1");
            }
            double weight = variant.path("InitialVariantWeight").asDouble(1.0);
            if (weight < 0) {
                throw Requests.constraint(variant.path("InitialVariantWeight").asText(), "productionVariants.member.initialVariantWeight",
                        "Member must have value greater than or equal to 0");
            }
            ((ObjectNode) variant).put("InitialVariantWeight", weight);
            totalWeight += weight;
        }
        if (totalWeight <= 0) {
            throw AwsException.validation("The InitialVariantWeight of every production variant is 0, so no variant would get"
                    + " traffic: give at least one a weight above 0");
        }
        if (!configs.insert(description, JsonRpc.JSON.createObjectNode())) {
            throw AwsException.resourceInUse("Cannot create already existing endpoint configuration \"" + configs.arn(name) + "\".");
        }
        return JsonRpc.JSON.createObjectNode().put("EndpointConfigArn", configs.arn(name));
    }

    /** DeleteModel and DeleteEndpointConfig declare no ResourceNotFound: AWS answers a missing one with ValidationException. */
    private static JsonNode delete(Resources resources, String name) {
        if (!resources.delete(name)) {
            throw resources.notFound(name);
        }
        return JsonRpc.JSON.createObjectNode();
    }
}
