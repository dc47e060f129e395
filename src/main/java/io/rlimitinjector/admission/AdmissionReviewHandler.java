package io.rlimitinjector.admission;

import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.inject.Injection;
import io.rlimitinjector.inject.Outcome;
import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * AdmissionReview {@code admission.k8s.io/v1} in, the typed {@link Admission} out, which {@link ReviewWriter} turns
 * into the AdmissionReview sent back. A request it cannot read is a {@link BadAdmissionRequest}; anything that goes
 * wrong after that admits the pod unchanged, with a warning, because the webhook must never block a pod through its
 * own fault.
 */
public final class AdmissionReviewHandler {
    static final String API_VERSION = "admission.k8s.io/v1";
    /** The API server shows warnings one per line; past a few they stop helping and start hiding each other. */
    static final int MAX_WARNINGS = 20;
    static final int MAX_WARNING_LENGTH = 256;
    private static final Pattern CONTROL_CHARACTERS = Pattern.compile("\\p{Cntrl}");
    private static final Logger LOG = LoggerFactory.getLogger(AdmissionReviewHandler.class);

    private final PodInjector injector;

    public AdmissionReviewHandler(PodInjector injector) {
        this.injector = injector;
    }

    /** The answer to one AdmissionReview body, with the pod's image lookups through {@code lookups}. */
    public Admission handle(byte[] body, EntrypointResolver lookups) {
        JsonNode review = parse(body);
        JsonNode request = review.get("request");
        if (request == null || !request.isObject()) {
            throw new BadAdmissionRequest(400, "AdmissionReview has no request object");
        }
        String uid = text(request, "uid");
        if (uid == null || uid.isEmpty()) {
            throw new BadAdmissionRequest(400, "AdmissionReview request has no uid");
        }
        String namespace = text(request, "namespace");
        boolean dryRun = request.path("dryRun").asBoolean(false);
        JsonNode object = request.get("object");
        if (!isPodCreation(request) || object == null || !object.isObject()) {
            return new Admission(uid, namespace, null, dryRun, Outcome.IGNORED, null, List.of());
        }
        Pod pod = readPod(object);
        if (namespace == null && pod.getMetadata() != null) {
            namespace = pod.getMetadata().getNamespace();
        }
        String podName = displayName(pod);
        try {
            Injection injection = injector.inject(pod, namespace, lookups);
            return new Admission(uid, namespace, podName, dryRun, injection.outcome(), injection,
                    shownWarnings(injection.mutation().warnings()));
        } catch (RuntimeException e) {
            LOG.error("mutation of pod {}/{} failed; admitting it unchanged", namespace, podName, e);
            return new Admission(uid, namespace, podName, dryRun, Outcome.ERROR, null, shownWarnings(
                    List.of("internal error (" + e.getClass().getSimpleName() + "); pod admitted unchanged")));
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new BadAdmissionRequest(400, "empty body; expected an AdmissionReview " + API_VERSION);
        }
        JsonNode review;
        try {
            review = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw new BadAdmissionRequest(400, "body is not valid JSON: " + e.getOriginalMessage());
        }
        if (review == null || !review.isObject()) {
            throw new BadAdmissionRequest(400, "body is not a JSON object; expected an AdmissionReview " + API_VERSION);
        }
        if (!"AdmissionReview".equals(text(review, "kind")) || !API_VERSION.equals(text(review, "apiVersion"))) {
            throw new BadAdmissionRequest(400, "expected kind AdmissionReview, apiVersion " + API_VERSION + "; got kind "
                    + text(review, "kind") + ", apiVersion " + text(review, "apiVersion"));
        }
        return review;
    }

    private static boolean isPodCreation(JsonNode request) {
        JsonNode kind = request.get("kind");
        JsonNode resource = request.get("resource");
        boolean pod = kind != null && "Pod".equals(text(kind, "kind")) && "".equals(orEmpty(text(kind, "group")));
        boolean podsResource = resource == null || "pods".equals(text(resource, "resource"));
        boolean subresource = !orEmpty(text(request, "subResource")).isEmpty();
        return pod && podsResource && !subresource && "CREATE".equals(text(request, "operation"));
    }

    private static Pod readPod(JsonNode object) {
        try {
            return Json.MAPPER.treeToValue(object, Pod.class);
        } catch (JacksonException e) {
            throw new BadAdmissionRequest(400, "request.object is not a valid Pod: " + e.getOriginalMessage());
        }
    }

    /** Warnings as the API server accepts them: printable, short, and not too many. */
    public static List<String> shownWarnings(List<String> warnings) {
        List<String> shown = new ArrayList<>();
        for (String warning : warnings.subList(0, Math.min(warnings.size(), MAX_WARNINGS))) {
            String line = "rlimit-injector: " + CONTROL_CHARACTERS.matcher(warning).replaceAll(" ");
            shown.add(line.length() > MAX_WARNING_LENGTH ? line.substring(0, MAX_WARNING_LENGTH - 3) + "..." : line);
        }
        if (warnings.size() > MAX_WARNINGS) {
            shown.add("rlimit-injector: " + (warnings.size() - MAX_WARNINGS)
                    + " more warnings; see the rlimit-injector.io/status annotation");
        }
        return shown;
    }

    static String displayName(Pod pod) {
        if (pod.getMetadata() == null) {
            return "";
        }
        if (pod.getMetadata().getName() != null && !pod.getMetadata().getName().isEmpty()) {
            return pod.getMetadata().getName();
        }
        return pod.getMetadata().getGenerateName() == null ? "" : pod.getMetadata().getGenerateName() + "*";
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }
}
