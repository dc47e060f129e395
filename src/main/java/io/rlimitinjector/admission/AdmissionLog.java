package io.rlimitinjector.admission;

import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.ContainerDecision;
import java.io.PrintStream;
import java.time.Instant;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One JSON line per admission on standard output, for log pipelines: who, what was decided, how long it took.
 * It carries names and decisions only, never object contents, so no secret value can reach it.
 */
final class AdmissionLog {
    private final PrintStream out;

    AdmissionLog(PrintStream out) {
        this.out = out;
    }

    void write(Admission admission, long durationNanos) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("time", Instant.now().toString());
        line.put("msg", "admission");
        line.put("uid", admission.uid());
        line.put("namespace", admission.namespace());
        line.put("pod", admission.pod());
        line.put("outcome", admission.outcome());
        if (admission.mutation() != null) {
            ArrayNode decisions = line.putArray("decisions");
            for (ContainerDecision decision : admission.mutation().decisions()) {
                decisions.addObject()
                        .put("container", decision.name())
                        .put(decision.isWrapped() ? "mode" : "skipped",
                                decision.isWrapped() ? decision.mode() : decision.skipped());
            }
        }
        line.put("durationMs", durationNanos / 1e6);
        out.println(Json.MAPPER.writeValueAsString(line));
    }
}
