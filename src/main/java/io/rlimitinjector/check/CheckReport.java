package io.rlimitinjector.check;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;

/**
 * The check's answer for a namespace or one pod.
 *
 * @param pod the pod's name, or null when only the namespace was checked
 * @param source where the per-container verdicts come from: {@code status} (the running pod's annotation),
 *     {@code dry-run} (the webhook's answer now) or {@code prediction} (this tool's own mutation core, when the
 *     webhook did not answer)
 * @param delivery how the launcher gets into the pod, when a container is wrapped
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"namespace", "pod", "result", "exitCode", "source", "delivery", "containers", "findings",
        "dryRunWarnings", "webhooks"})
public record CheckReport(String namespace, String pod, Result result, String source, String delivery,
        List<ContainerReport> containers, List<Finding> findings, List<String> dryRunWarnings,
        List<String> webhooks) {

    public CheckReport {
        containers = List.copyOf(containers);
        findings = List.copyOf(findings);
        dryRunWarnings = dryRunWarnings == null ? null : List.copyOf(dryRunWarnings);
        webhooks = List.copyOf(webhooks);
    }

    /** The verdict, each with its exit code. */
    public enum Result {
        INJECTED(0),
        WILL_BE_INJECTED(0),
        PARTLY_INJECTED(1),
        NOT_INJECTED(1),
        WEBHOOK_PROBLEM(3);

        private final int exitCode;

        Result(int exitCode) {
            this.exitCode = exitCode;
        }

        @JsonValue
        public String value() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public String words() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    @JsonProperty("exitCode")
    public int exitCode() {
        return result.exitCode;
    }
}
