package io.rlimitinjector.check;

import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.ContainerDecision;
import java.util.ArrayList;
import java.util.List;

/** The report for people ({@link #text}) and for scripts ({@link #json}). */
public final class ReportFormat {
    private ReportFormat() {
    }

    public static String json(CheckReport report) {
        return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n";
    }

    public static String text(CheckReport report) {
        StringBuilder out = new StringBuilder();
        String subject = report.pod() == null ? "namespace " + report.namespace()
                : "pod " + report.namespace() + "/" + report.pod();
        out.append(subject).append(": ").append(headline(report)).append('\n');
        if (!report.containers().isEmpty()) {
            out.append("\ncontainers (from ").append(sourceWords(report.source()))
                    .append(report.delivery() == null ? "" : ", delivery " + report.delivery()).append("):\n");
            for (ContainerReport container : report.containers()) {
                out.append("  ").append(container.name()).append(": ").append(describe(container)).append('\n');
            }
        }
        section(out, "why", report.findings().stream()
                .filter(finding -> finding.kind() != Finding.Kind.NOTE)
                .map(finding -> "[" + finding.code() + "] " + finding.message())
                .toList());
        section(out, "notes", report.findings().stream()
                .filter(finding -> finding.kind() == Finding.Kind.NOTE)
                .map(finding -> "[" + finding.code() + "] " + finding.message())
                .toList());
        if (report.dryRunWarnings() != null) {
            section(out, "dry-run warnings", report.dryRunWarnings());
        }
        section(out, "webhooks", report.webhooks());
        return out.toString();
    }

    private static String headline(CheckReport report) {
        return switch (report.result()) {
            case INJECTED -> "injected";
            case WILL_BE_INJECTED -> report.pod() == null ? "pods created here will be injected" : "will be injected";
            case PARTLY_INJECTED -> "partly injected: some containers run without the rlimit";
            case NOT_INJECTED -> "not injected";
            case WEBHOOK_PROBLEM -> "the webhook has a problem";
        } + " (exit " + report.exitCode() + ")";
    }

    private static String sourceWords(String source) {
        return switch (source) {
            case "status" -> "the pod's status annotation";
            case "dry-run" -> "the webhook's answer to a dry run";
            default -> "this tool's own prediction of the webhook's answer";
        };
    }

    private static String describe(ContainerReport container) {
        List<String> parts = new ArrayList<>();
        if (container.wrapped()) {
            parts.add("wrapped, mode " + container.mode() + (container.modeReason() == null ? ""
                    : " (" + container.modeReason() + ")"));
            parts.add("limit " + container.memoryLimit()
                    + (ContainerDecision.isPodLevel(container.limitSource()) ? " (the pod-level limit)" : ""));
            if (container.headroom() != null) {
                parts.add("headroom " + container.headroom());
            }
            parts.add(container.rlimit() != null ? "rlimit " + container.rlimit() : "no rlimit: " + container.noRlimit());
            if (container.goMemLimit() != null) {
                parts.add("GOMEMLIMIT " + container.goMemLimit());
            }
        } else {
            parts.add("not wrapped [" + container.reason() + "] " + container.detail());
        }
        if (container.lastEnded() != null) {
            parts.add("last ended " + container.lastEnded());
        }
        return String.join(", ", parts);
    }

    private static void section(StringBuilder out, String title, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        out.append('\n').append(title).append(":\n");
        lines.forEach(line -> out.append("  - ").append(line).append('\n'));
    }
}
