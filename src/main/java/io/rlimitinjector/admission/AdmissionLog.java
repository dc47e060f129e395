package io.rlimitinjector.admission;

import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.ContainerDecision;
import java.io.OutputStream;
import java.time.Instant;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One JSON line per admission on standard output, for log pipelines: who, what was decided, how long it took.
 * It carries names and decisions only, never object contents, so no secret value can reach it.
 */
final class AdmissionLog implements AutoCloseable {
    /** About 2 MB of lines: a few seconds of a busy webhook whose log reader stalled. */
    private static final int QUEUED_LINES = 8192;

    private final AsyncLineWriter out;

    AdmissionLog(OutputStream out) {
        this.out = new AsyncLineWriter(out, QUEUED_LINES);
    }

    void write(Admission admission, long durationNanos) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("time", Instant.now().toString());
        line.put("msg", "admission");
        line.put("uid", admission.uid());
        line.put("namespace", admission.namespace());
        line.put("pod", admission.pod());
        line.put("outcome", admission.outcome().label());
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
        out.offer(Json.MAPPER.writeValueAsString(line));
    }

    @Override
    public void close() {
        out.close();
    }
}
