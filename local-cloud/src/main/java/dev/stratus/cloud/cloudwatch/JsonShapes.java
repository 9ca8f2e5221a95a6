package dev.stratus.cloud.cloudwatch;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.JsonRpc;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;

/**
 * CloudWatch's awsJson1_0 shapes turned into its awsQuery ones and back, read from the AWS SDK's CloudWatch model, so
 * that the operations written for awsQuery serve JSON clients too: a JSON request becomes the flat form parameters of
 * the operation ({@code MetricData.member.1.MetricName}), and the XML it answers becomes the JSON of its output shape.
 * JSON time stamps are epoch seconds; awsQuery's are ISO-8601.
 */
final class JsonShapes {

    private static final String MODEL = "software.amazon.awssdk.services.cloudwatch.model.";

    private final String operation;
    private final List<SdkField<?>> input;
    private final List<SdkField<?>> output;

    /** The shapes of {@code operation}, looked up in the model once, when the service is made. */
    JsonShapes(String operation) {
        this.operation = operation;
        this.input = fields(operation + "Request");
        this.output = fields(operation + "Response");
    }

    /** The awsQuery form of the operation's JSON input, with its Action. */
    Map<String, String> parameters(JsonNode json) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("Action", operation);
        for (SdkField<?> field : input) {
            JsonNode value = json.get(field.memberName());
            if (value != null && !value.isNull()) {
                flatten(field.locationName(), field.memberName(), value, field, form);
            }
        }
        return form;
    }

    /** The JSON of the operation's output, from the inner XML of its awsQuery {@code <OperationResult>}. */
    ObjectNode output(String resultXml) {
        return structure(parse("<Result>" + resultXml + "</Result>"), output);
    }

    private static void flatten(String name, String member, JsonNode value, SdkField<?> field, Map<String, String> form) {
        MarshallingType<?> type = field.marshallingType();
        if (type == MarshallingType.LIST) {
            SdkField<?> item = field.getOptionalTrait(ListTrait.class).orElseThrow().memberFieldInfo();
            require(value.isArray(), member, "a list");
            for (int i = 0; i < value.size(); i++) {
                flatten(name + ".member." + (i + 1), member + "[" + i + "]", value.get(i), item, form);
            }
        } else if (type == MarshallingType.MAP) {
            SdkField<?> entry = field.getOptionalTrait(MapTrait.class).orElseThrow().valueFieldInfo();
            require(value.isObject(), member, "a map");
            int i = 0;
            for (Map.Entry<String, JsonNode> e : value.properties()) {
                i++;
                form.put(name + ".entry." + i + ".key", e.getKey());
                flatten(name + ".entry." + i + ".value", member + "." + e.getKey(), e.getValue(), entry, form);
            }
        } else if (type == MarshallingType.SDK_POJO) {
            require(value.isObject(), member, "a structure");
            for (SdkField<?> inner : field.constructor().get().sdkFields()) {
                JsonNode innerValue = value.get(inner.memberName());
                if (innerValue != null && !innerValue.isNull()) {
                    flatten(name + "." + inner.locationName(), member + "." + inner.memberName(), innerValue, inner, form);
                }
            }
        } else if (type == MarshallingType.INSTANT) {
            require(value.isNumber() || value.isTextual(), member, "a time stamp (epoch seconds)");
            form.put(name, value.isNumber()
                    ? Instant.ofEpochMilli(value.decimalValue().movePointRight(3).longValue()).toString() : value.asText());
        } else if (type == MarshallingType.BOOLEAN) {
            require(value.isBoolean(), member, "true or false");
            form.put(name, Boolean.toString(value.asBoolean()));
        } else if (type == MarshallingType.STRING || type == MarshallingType.SDK_BYTES) {
            require(value.isTextual(), member, "a string");
            form.put(name, value.asText());
        } else {
            require(value.isNumber(), member, "a number");
            form.put(name, value.isFloatingPointNumber() ? value.decimalValue().toPlainString() : value.asText());
        }
    }

    private static void require(boolean holds, String member, String what) {
        if (!holds) {
            throw new AwsException(400, "SerializationException", member + " must be " + what);
        }
    }

    private static ObjectNode structure(Element element, List<SdkField<?>> fields) {
        ObjectNode json = JsonRpc.JSON.createObjectNode();
        for (SdkField<?> field : fields) {
            Element child = child(element, field.unmarshallLocationName());
            if (child != null) {
                json.set(field.memberName(), value(child, field));
            }
        }
        return json;
    }

    private static JsonNode value(Element element, SdkField<?> field) {
        MarshallingType<?> type = field.marshallingType();
        if (type == MarshallingType.LIST) {
            SdkField<?> item = field.getOptionalTrait(ListTrait.class).orElseThrow().memberFieldInfo();
            ArrayNode items = JsonRpc.JSON.createArrayNode();
            for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
                if (node instanceof Element member) {
                    items.add(value(member, item));
                }
            }
            return items;
        } else if (type == MarshallingType.MAP) {
            MapTrait map = field.getOptionalTrait(MapTrait.class).orElseThrow();
            ObjectNode entries = JsonRpc.JSON.createObjectNode();
            for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
                if (node instanceof Element entry) {
                    Element key = child(entry, map.keyLocationName());
                    Element value = child(entry, map.valueLocationName());
                    if (key != null && value != null) {
                        entries.set(key.getTextContent(), value(value, map.valueFieldInfo()));
                    }
                }
            }
            return entries;
        } else if (type == MarshallingType.SDK_POJO) {
            return structure(element, field.constructor().get().sdkFields());
        }
        String raw = element.getTextContent();
        String text = raw.strip(); // numbers, booleans and time stamps; strings keep their spaces
        if (type == MarshallingType.INSTANT) {
            try {
                return JsonRpc.JSON.getNodeFactory().numberNode(BigDecimal.valueOf(Instant.parse(text).toEpochMilli()).movePointLeft(3));
            } catch (DateTimeParseException e) {
                throw new IllegalStateException("the local cloud wrote " + text + " as a time stamp", e);
            }
        } else if (type == MarshallingType.BOOLEAN) {
            return JsonRpc.JSON.getNodeFactory().booleanNode(Boolean.parseBoolean(text));
        } else if (type == MarshallingType.INTEGER || type == MarshallingType.LONG || type == MarshallingType.SHORT
                || type == MarshallingType.BYTE) {
            return JsonRpc.JSON.getNodeFactory().numberNode(Long.parseLong(text));
        } else if (type == MarshallingType.DOUBLE || type == MarshallingType.FLOAT || type == MarshallingType.BIG_DECIMAL) {
            return JsonRpc.JSON.getNodeFactory().numberNode(Double.parseDouble(text));
        }
        return JsonRpc.JSON.getNodeFactory().textNode(raw);
    }

    private static Element child(Element parent, String name) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                return element;
            }
        }
        return null;
    }

    /** The members of a request or response shape of the SDK's CloudWatch model, such as ListMetricsRequest. */
    private static List<SdkField<?>> fields(String shape) {
        try {
            Object builder = Class.forName(MODEL + shape).getMethod("builder").invoke(null);
            return ((SdkPojo) builder).sdkFields();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the SDK's CloudWatch model has no shape " + shape, e);
        }
    }

    private static Element parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml))).getDocumentElement();
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new IllegalStateException("the local cloud wrote XML it cannot read back", e);
        }
    }
}
