package io.rlimitinjector.check;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.mutation.ContainerDecision;
import io.rlimitinjector.mutation.Contract;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionStatus;
import io.rlimitinjector.mutation.MemoryBudget;
import io.rlimitinjector.mutation.MemoryLimit;
import io.rlimitinjector.mutation.MemoryQuantity;
import io.rlimitinjector.mutation.MutationResult;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.mutation.SkipReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Decides, from what was read of the cluster, whether a pod is or will be injected and why not. The per-container
 * verdicts come from the webhook itself where it spoke (the running pod's status annotation, or the dry run's), and
 * otherwise from the same mutation core the webhook runs.
 */
public final class Checker {
    /** Kubernetes marks a mirror pod with it; the chart's matchCondition keeps such pods from the webhook. */
    static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
    /** The API server gives every namespace this label, so selectors may use it. */
    private static final String NAME_LABEL = "kubernetes.io/metadata.name";
    /** Skips the pod's author asked for: they do not make a pod "not injected as expected". */
    private static final Set<String> ASKED_FOR = Set.of(SkipReason.EXCLUDED.code(), SkipReason.MODE_OFF.code());

    private final PodMutator mutator;
    private final EntrypointResolver resolver;

    public Checker(PodMutator mutator, EntrypointResolver resolver) {
        this.mutator = mutator;
        this.resolver = resolver;
    }

    public CheckReport check(ClusterView view) {
        List<Finding> findings = new ArrayList<>();
        webhookFindings(view.webhooks(), findings);
        Map<String, String> namespaceLabels = new LinkedHashMap<>();
        if (view.namespaceLabels() == null) {
            findings.add(Finding.note("namespace-missing", "namespace " + view.namespace()
                    + " does not exist; it is checked as one without labels"));
        } else {
            namespaceLabels.putAll(view.namespaceLabels());
        }
        namespaceLabels.putIfAbsent(NAME_LABEL, view.namespace());
        List<WebhookState> namespaceSelected = view.webhooks().stream()
                .filter(webhook -> LabelSelectors.matches(webhook.namespaceSelector(), namespaceLabels))
                .toList();
        if (!view.webhooks().isEmpty() && namespaceSelected.isEmpty()) {
            findings.add(Finding.reason("namespace-not-selected", "namespace " + view.namespace() + " is not selected by "
                    + String.join("; ", view.webhooks().stream()
                            .map(webhook -> webhook.name() + " (it needs " + LabelSelectors.describe(webhook.namespaceSelector()) + ")")
                            .toList())
                    + "; label it " + Contract.INJECT + "=enabled to opt it in"));
        }
        List<String> webhooks = view.webhooks().stream().map(Checker::describe).toList();
        if (view.pod() == null) {
            CheckReport.Result result = hasProblem(findings) ? CheckReport.Result.WEBHOOK_PROBLEM
                    : namespaceSelected.isEmpty() ? CheckReport.Result.NOT_INJECTED : CheckReport.Result.WILL_BE_INJECTED;
            return new CheckReport(view.namespace(), null, result, null, null, List.of(), findings, null, webhooks);
        }
        return checkPod(view, namespaceSelected, findings, webhooks);
    }

    private CheckReport checkPod(ClusterView view, List<WebhookState> namespaceSelected, List<Finding> findings,
            List<String> webhooks) {
        Pod pod = view.pod();
        Map<String, String> labels = orEmpty(pod.getMetadata().getLabels());
        Map<String, String> annotations = orEmpty(pod.getMetadata().getAnnotations());
        List<WebhookState> called = namespaceSelected.stream()
                .filter(webhook -> LabelSelectors.matches(webhook.objectSelector(), labels))
                .toList();
        if (!namespaceSelected.isEmpty() && called.isEmpty()) {
            findings.add(Finding.reason("pod-label-disabled", "the pod's labels do not match the webhook's object"
                    + " selector (" + LabelSelectors.describe(namespaceSelected.get(0).objectSelector())
                    + "): the API server does not call it; remove the label " + Contract.INJECT + "=disabled"));
        }
        boolean mirror = annotations.containsKey(MIRROR_ANNOTATION);
        if (mirror) {
            findings.add(Finding.reason("mirror-pod", "a mirror pod (annotation " + MIRROR_ANNOTATION + "): the"
                    + " kubelet runs it from a file, so the webhook leaves it alone"));
        }
        boolean optedOut = Contract.optsOut(annotations.get(Contract.INJECT));
        if (optedOut) {
            findings.add(Finding.reason("annotation-opt-out", "annotation " + Contract.INJECT
                    + "=\"" + annotations.get(Contract.INJECT).trim() + "\": the webhook leaves the pod alone"));
        }
        boolean reached = !called.isEmpty() && !mirror;

        Optional<InjectionStatus> stored = view.running()
                ? InjectionStatus.parse(annotations.get(Contract.STATUS)) : Optional.empty();
        Optional<InjectionStatus> answered = view.dryRun() == null ? Optional.empty()
                : InjectionStatus.parse(view.dryRun().status());
        String source;
        InjectionStatus status;
        if (stored.isPresent()) {
            source = "status";
            status = stored.get();
        } else if (answered.isPresent()) {
            source = "dry-run";
            status = answered.get();
        } else {
            source = "prediction";
            status = predict(pod, view.namespace());
        }
        if (view.running() && stored.isEmpty() && reached && !optedOut) {
            findings.add(Finding.note("created-without-webhook", "the pod has no " + Contract.STATUS + " annotation:"
                    + " the webhook did not change it when it was created (before it was installed, or while it did"
                    + " not answer under failurePolicy Ignore); recreate it"));
        }
        if (status.skipped() != null && !optedOut) {
            findings.add(Finding.reason(status.reason() == null ? "pod-skipped" : status.reason(),
                    "the webhook leaves the whole pod alone: " + status.skipped()));
        }
        List<ContainerReport> containers = new ArrayList<>();
        for (ContainerDecision decision : status.containers()) {
            String lastEnded = view.running() ? lastEnded(pod, decision.name()) : null;
            containers.add(report(decision, lastEnded));
            if (!decision.isWrapped()) {
                findings.add(Finding.reason(decision.reason(), "container \"" + decision.name() + "\": "
                        + decision.skipped()));
            } else if (lastEnded != null && lastEnded.startsWith("OOMKilled")) {
                findings.add(Finding.note("oom-killed", "container \"" + decision.name() + "\" was OOM-killed"
                        + " although wrapped: several processes sharing the limit, or memory an rlimit does not"
                        + " count (tmpfs), reached the cgroup limit first"));
            } else if (lastEnded != null && lastEnded.startsWith("Error")) {
                findings.add(Finding.note("ended-with-error", "container \"" + decision.name() + "\" last ended "
                        + lastEnded + ", not OOMKilled: under the rlimit a failed allocation (MemoryError, malloc"
                        + " returning NULL, OutOfMemoryError) ends a program so; its log says whether it did"));
            }
        }
        MemoryLimit.overcommit(pod.getSpec(), status.containers())
                .ifPresent(warning -> findings.add(Finding.note("pod-limit-overcommitted", warning)));
        dryRunFindings(view.dryRun(), reached && !optedOut, findings);

        boolean anyWrapped = containers.stream().anyMatch(ContainerReport::wrapped);
        boolean injected = reached && anyWrapped && !(view.running() && stored.isEmpty());
        CheckReport.Result result;
        if (hasProblem(findings)) {
            result = CheckReport.Result.WEBHOOK_PROBLEM;
        } else if (!injected) {
            result = CheckReport.Result.NOT_INJECTED;
        } else if (findings.stream().anyMatch(finding -> finding.kind() == Finding.Kind.REASON
                && !ASKED_FOR.contains(finding.code()))) {
            result = CheckReport.Result.PARTLY_INJECTED;
        } else {
            result = view.running() ? CheckReport.Result.INJECTED : CheckReport.Result.WILL_BE_INJECTED;
        }
        List<String> warnings = view.dryRun() == null ? null : view.dryRun().warnings();
        return new CheckReport(view.namespace(), pod.getMetadata().getName(), result, source,
                anyWrapped ? status.delivery() : null, containers, findings, warnings, webhooks);
    }

    /** What the mutation core makes of the pod, as a status; a pod opted out by annotation gets none. */
    private InjectionStatus predict(Pod pod, String namespace) {
        MutationResult result = mutator.mutate(pod, namespace, resolver);
        Optional<InjectionStatus> written = InjectionStatus.parse(
                orEmpty(result.pod().getMetadata().getAnnotations()).get(Contract.STATUS));
        return written.orElseGet(() -> new InjectionStatus(result.skipped(), null, null, result.decisions()));
    }

    private static void webhookFindings(List<WebhookState> webhooks, List<Finding> findings) {
        if (webhooks.isEmpty()) {
            findings.add(Finding.problem("webhook-missing", "no MutatingWebhookConfiguration has an rlimit-injector"
                    + " webhook: install the chart, or name the configuration with --webhook-configuration"));
        }
        for (WebhookState webhook : webhooks) {
            if (webhook.readyEndpoints() != null && webhook.readyEndpoints() == 0) {
                findings.add(Finding.problem("webhook-unready", "webhook " + webhook.name() + ": "
                        + webhook.endpoint() + " has no ready endpoint, so under failurePolicy "
                        + webhook.failurePolicy() + " pods are " + ("Fail".equals(webhook.failurePolicy())
                                ? "refused" : "created without the launcher")));
            }
            CertificateCheck certificate = webhook.certificate();
            if (Boolean.FALSE.equals(certificate.verified())) {
                findings.add(Finding.problem("ca-bundle-mismatch", "webhook " + webhook.name() + ": "
                        + certificate.detail()));
            } else if (certificate.verified() == null) {
                findings.add(Finding.note("certificate-not-checked", "webhook " + webhook.name()
                        + ": certificate not checked: " + certificate.detail()));
            }
        }
    }

    private static void dryRunFindings(DryRun dryRun, boolean webhookCalled, List<Finding> findings) {
        if (dryRun == null) {
            return;
        }
        if (dryRun.failure() != null) {
            findings.add(Finding.problem("dry-run-failed", "the API server refused the dry-run create: "
                    + dryRun.failure()));
        } else if (dryRun.status() == null && webhookCalled) {
            findings.add(Finding.problem("webhook-not-answering", "the dry-run pod came back without the "
                    + Contract.STATUS + " annotation although the webhook selects it: the webhook did not answer"
                    + " and failurePolicy Ignore let the pod through unchanged"));
        }
    }

    private static ContainerReport report(ContainerDecision decision, String lastEnded) {
        OptionalLong limit = decision.memoryLimit() == null ? OptionalLong.empty()
                : MemoryQuantity.toBytes(decision.memoryLimit());
        Long headroom = decision.isWrapped() && limit.isPresent() ? MemoryBudget.headroom(limit.getAsLong()) : null;
        return new ContainerReport(decision.name(), decision.type(), decision.isWrapped(), decision.mode(),
                decision.modeReason(), decision.memoryLimit(), decision.limitSource(), headroom, decision.rlimit(), decision.noRlimit(),
                decision.goMemLimit(), decision.reason(), decision.skipped(), lastEnded);
    }

    /** How the container last ended, now or in its previous run: {@code OOMKilled (exit 137)}; null if never. */
    static String lastEnded(Pod pod, String container) {
        if (pod.getStatus() == null) {
            return null;
        }
        return Stream.concat(orEmpty(pod.getStatus().getInitContainerStatuses()).stream(),
                        orEmpty(pod.getStatus().getContainerStatuses()).stream())
                .filter(status -> container.equals(status.getName()))
                .findFirst()
                .map(Checker::terminated)
                .map(ended -> (ended.getReason() == null ? "Terminated" : ended.getReason())
                        + " (exit " + ended.getExitCode() + ")")
                .orElse(null);
    }

    private static ContainerStateTerminated terminated(ContainerStatus status) {
        if (status.getState() != null && status.getState().getTerminated() != null) {
            return status.getState().getTerminated();
        }
        return status.getLastState() == null ? null : status.getLastState().getTerminated();
    }

    private static String describe(WebhookState webhook) {
        String readiness = webhook.readyEndpoints() == null ? "readiness not known"
                : webhook.readyEndpoints() + " ready endpoint" + (webhook.readyEndpoints() == 1 ? "" : "s");
        return webhook.configuration() + "/" + webhook.name() + ": " + webhook.endpoint() + ", " + readiness
                + ", failurePolicy " + webhook.failurePolicy();
    }

    private static boolean hasProblem(List<Finding> findings) {
        return findings.stream().anyMatch(finding -> finding.kind() == Finding.Kind.PROBLEM);
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
