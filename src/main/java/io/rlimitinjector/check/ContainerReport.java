package io.rlimitinjector.check;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One container: what the launcher sets in it, or why it is left alone, and how it last ended.
 *
 * @param limitSource where the limit comes from, as in the status annotation: the container's own or the pod-level
 *     one ({@code spec.resources}), and how the launcher gets it
 * @param headroom bytes kept below the limit for what the kernel charges beyond the program's address space
 * @param reason a skipped container's reason code, as in the status annotation
 * @param lastEnded how it last ended ({@code OOMKilled (exit 137)}, {@code Error (exit 1)}), for a running pod
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerReport(String name, String type, boolean wrapped, String mode, String modeReason,
        String memoryLimit, String limitSource, Long headroom, Long rlimit, String noRlimit, String goMemLimit, String reason,
        String detail, String lastEnded) {
}
