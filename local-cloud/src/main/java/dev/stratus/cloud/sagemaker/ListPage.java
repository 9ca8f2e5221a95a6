package dev.stratus.cloud.sagemaker;

import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.JsonRpc;

/** One page of a SageMaker List* answer: summaries of the sorted matches after {@code NextToken}, and the next token. */
public final class ListPage {

    private ListPage() {
    }

    /**
     * A List operation over {@code all} the resources of a kind: NameContains, CreationTime (and LastModifiedTime)
     * Before/After, StatusEquals for kinds with a status, SortBy Name | CreationTime (| Status), SortOrder, MaxResults
     * 1-100 (default 10) and NextToken, as SageMaker's List operations take them.
     *
     * @param statusField the field StatusEquals and SortBy Status read, or null for a kind without a status
     */
    public static ObjectNode of(List<ObjectNode> all, JsonNode request, String nameField, String statusField, String listKey,
                                List<String> summaryFields) {
        String nameContains = request.path("NameContains").asText(null);
        String status = request.path("StatusEquals").asText(null);
        String sortBy = request.path("SortBy").asText("CreationTime");
        boolean ascending = request.path("SortOrder").asText("Descending").equals("Ascending");
        int maxResults = request.path("MaxResults").asInt(10);
        if (maxResults < 1 || maxResults > 100) {
            throw Requests.constraint(Integer.toString(maxResults), "maxResults", "Member must have value less than or equal"
                    + " to 100 and greater than or equal to 1");
        }
        Comparator<ObjectNode> order = switch (sortBy) {
            case "Name" -> Comparator.comparing(r -> r.path(nameField).asText());
            case "CreationTime" -> Comparator.comparingDouble(r -> r.path("CreationTime").asDouble());
            case "Status" -> {
                if (statusField == null) {
                    throw Requests.constraint(sortBy, "sortBy", "Member must satisfy enum value set: [Name, CreationTime]");
                }
                yield Comparator.comparing(r -> r.path(statusField).asText());
            }
            default -> throw Requests.constraint(sortBy, "sortBy", "Member must satisfy enum value set: [Name, CreationTime"
                    + (statusField == null ? "]" : ", Status]"));
        };
        order = order.thenComparing(r -> r.path(nameField).asText());
        List<ObjectNode> matching = all.stream()
                .filter(r -> nameContains == null || r.path(nameField).asText().contains(nameContains))
                .filter(r -> status == null || statusField != null && r.path(statusField).asText().equals(status))
                .filter(r -> within(r.path("CreationTime"), request.path("CreationTimeAfter"), request.path("CreationTimeBefore")))
                .filter(r -> within(r.path("LastModifiedTime"), request.path("LastModifiedTimeAfter"),
                        request.path("LastModifiedTimeBefore")))
                .sorted(ascending ? order : order.reversed())
                .toList();
        return page(matching, request, maxResults, listKey, summaryFields);
    }

    private static ObjectNode page(List<ObjectNode> sorted, JsonNode request, int maxResults, String listKey,
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
    private static boolean within(JsonNode time, JsonNode after, JsonNode before) {
        return (after.isMissingNode() || after.isNull() || time.asDouble() > after.asDouble())
                && (before.isMissingNode() || before.isNull() || time.asDouble() < before.asDouble());
    }
}
