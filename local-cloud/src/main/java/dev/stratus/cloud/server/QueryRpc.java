package dev.stratus.cloud.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The awsQuery protocol (CloudWatch, STS): form-encoded {@code Action=<Operation>&Version=...}
 * parameters, XML answers wrapped in {@code <OperationResponse>}, errors in {@code <ErrorResponse>}.
 */
public final class QueryRpc {

    /** An operation: the flat form parameters in, the inner XML of its {@code <OperationResult>} out. */
    @FunctionalInterface
    public interface Operation {
        String apply(Map<String, String> parameters) throws Exception;
    }

    private final String xmlNamespace;
    private final Map<String, Operation> operations;

    public QueryRpc(String xmlNamespace, Map<String, Operation> operations) {
        this.xmlNamespace = xmlNamespace;
        this.operations = Map.copyOf(operations);
    }

    public AwsResponse handle(AwsRequest request) {
        try {
            Map<String, String> parameters = parameters(request);
            String action = parameters.get("Action");
            Operation operation = action == null ? null : operations.get(action);
            if (operation == null) {
                throw new AwsException(400, "InvalidAction", "Action " + action + " is not an operation of this local service");
            }
            String result = operation.apply(parameters);
            String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + action + "Response xmlns=\"" + xmlNamespace + "\">"
                    + "<" + action + "Result>" + result + "</" + action + "Result>"
                    + "<ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata>"
                    + "</" + action + "Response>";
            return AwsResponse.of(200, "text/xml", xml);
        } catch (AwsException e) {
            return error(e);
        } catch (Exception e) {
            return error(new AwsException(500, "InternalFailure", e.toString()));
        }
    }

    /** Form parameters from the body (POST) or the query string (GET), decoded. */
    static Map<String, String> parameters(AwsRequest request) {
        String form = request.body().length > 0 ? request.bodyText() : request.rawQuery() == null ? "" : request.rawQuery();
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            parameters.put(name, value);
        }
        return parameters;
    }

    public static AwsResponse error(AwsException e) {
        String type = e.status() >= 500 ? "Receiver" : "Sender";
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse><Error><Type>" + type + "</Type><Code>"
                + xml(e.code()) + "</Code><Message>" + xml(e.getMessage()) + "</Message></Error><RequestId>"
                + UUID.randomUUID() + "</RequestId></ErrorResponse>";
        return AwsResponse.of(e.status(), "text/xml", xml);
    }

    /** {@code <name>text</name>}, the text escaped. */
    public static String element(String name, String text) {
        return "<" + name + ">" + xml(text) + "</" + name + ">";
    }

    /** Escapes text for an XML element. */
    public static String xml(String text) {
        if (text == null) {
            return "";
        }
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
