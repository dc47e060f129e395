package io.rlimitinjector.check;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Label selectors evaluated as the API server evaluates a webhook's namespace and object selectors. */
final class LabelSelectors {
    private LabelSelectors() {
    }

    /** An absent selector selects everything, as in a webhook configuration. */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        if (selector.getMatchLabels() != null && !selector.getMatchLabels().entrySet().stream()
                .allMatch(entry -> entry.getValue().equals(labels.get(entry.getKey())))) {
            return false;
        }
        return selector.getMatchExpressions() == null
                || selector.getMatchExpressions().stream().allMatch(requirement -> matches(requirement, labels));
    }

    private static boolean matches(LabelSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
        return switch (requirement.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> false;
        };
    }

    /** As kubectl prints a selector: {@code a=b,c in (d,e),!f}. */
    static String describe(LabelSelector selector) {
        if (selector == null) {
            return "everything";
        }
        List<String> parts = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            selector.getMatchLabels().forEach((key, value) -> parts.add(key + "=" + value));
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
                String values = requirement.getValues() == null ? "" : String.join(",", requirement.getValues());
                parts.add(switch (requirement.getOperator()) {
                    case "In" -> requirement.getKey() + " in (" + values + ")";
                    case "NotIn" -> requirement.getKey() + " notin (" + values + ")";
                    case "Exists" -> requirement.getKey();
                    case "DoesNotExist" -> "!" + requirement.getKey();
                    default -> requirement.getKey() + " " + requirement.getOperator() + " (" + values + ")";
                });
            }
        }
        return parts.isEmpty() ? "everything" : String.join(",", parts);
    }
}
