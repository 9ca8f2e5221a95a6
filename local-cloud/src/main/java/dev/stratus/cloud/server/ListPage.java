package dev.stratus.cloud.server;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One page of a SageMaker List* answer: summaries of the sorted matches after {@code NextToken}, and the next token. */
public final class ListPage {

    private ListPage() {
    }

    public static ObjectNode of(List<ObjectNode> sorted, JsonNode request, int maxResults, String listKey,
                                List<String> summaryFields) {
        int start = 0;
        if (request.hasNonNull("NextToken")) {
            try {
                start = Integer.parseInt(request.path("NextToken").asText());
            } catch (NumberFormatException e) {
                throw AwsException.validation("Invalid pagination token: pass the NextToken of the previous answer");
            }
        }
        ObjectNode answer = JsonRpc.JSON.createObjectNode();
        ArrayNode summaries = answer.putArray(listKey);
        for (ObjectNode item : sorted.subList(Math.min(start, sorted.size()), Math.min(start + maxResults, sorted.size()))) {
            ObjectNode summary = summaries.addObject();
            summaryFields.stream().filter(item::has).forEach(field -> summary.set(field, item.get(field)));
        }
        if (start + maxResults < sorted.size()) {
            answer.put("NextToken", Integer.toString(start + maxResults));
        }
        return answer;
    }

    /** A List* time filter: {@code time} after {@code after} and before {@code before}, each when given. */
    public static boolean within(JsonNode time, JsonNode after, JsonNode before) {
        return (after.isMissingNode() || after.isNull() || time.asDouble() > after.asDouble())
                && (before.isMissingNode() || before.isNull() || time.asDouble() < before.asDouble());
    }
}
