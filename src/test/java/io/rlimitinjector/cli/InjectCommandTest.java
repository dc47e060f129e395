package io.rlimitinjector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlimitinjector.json.Json;
import io.rlimitinjector.testing.LocalRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;

class InjectCommandTest {
    private static final String WORKLOADS = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: untouched}
            data: {ratio: "0.9", port: "8080"}
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: data}
            spec:
              template:
                spec:
                  containers: [{name: db, image: postgres:16, command: [postgres], resources: {limits: {memory: 2Gi}}}]
            ---
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly}
            spec:
              schedule: "0 3 * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: job, image: python:3.12, command: [python, job.py], resources: {limits: {memory: 1Gi}}}]
            ---
            apiVersion: v1
            kind: List
            items:
              - apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent}
                spec:
                  template:
                    spec:
                      containers: [{name: agent, image: node:20, command: [node, agent.js], resources: {limits: {memory: 256Mi}}}]
              - apiVersion: batch/v1
                kind: Job
                metadata: {name: once}
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: once, image: busybox, command: [sh, -c, "echo hi"]}]
            """;

    @TempDir
    Path dir;

    @Test
    void mutatesEveryPodTemplateAndPassesTheRestThrough() throws Exception {
        Result result = run(WORKLOADS, "-f", "-");
        assertThat(result.code).isZero();
        List<JsonNode> documents = readAll(result.out);
        assertThat(documents).hasSize(4);
        assertThat(documents.get(0)).isEqualTo(Json.YAML.readTree(WORKLOADS.split("---")[0]));
        assertThat(documents.get(0).at("/data/ratio").isString()).isTrue();
        assertThat(launcher(documents.get(1).at("/spec/template/spec"))).isTrue();
        assertThat(launcher(documents.get(2).at("/spec/jobTemplate/spec/template/spec"))).isTrue();
        assertThat(launcher(documents.get(3).at("/items/0/spec/template/spec"))).isTrue();
        assertThat(documents.get(3).at("/items/0/spec/template/spec/containers/0/env/1/value").asString()).isEqualTo("data");
        assertThat(launcher(documents.get(3).at("/items/1/spec/template/spec"))).isFalse();
        assertThat(result.err).contains("Warning: Job once: container \"once\" not wrapped: no memory limit");
    }

    /** Kinds the tool does not know by name are workloads by shape: a pod template with containers. */
    @Test
    void anyKindWithAPodTemplateIsMutatedAndOtherKindsPassThrough() throws Exception {
        String manifests = """
                apiVersion: apps.openshift.io/v1
                kind: DeploymentConfig
                metadata: {name: legacy}
                spec:
                  template:
                    spec:
                      containers: [{name: app, image: python:3.12, command: [python], resources: {limits: {memory: 1Gi}}}]
                ---
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata: {name: canary}
                spec:
                  strategy: {canary: {steps: [{setWeight: 20}]}}
                  template:
                    spec:
                      containers: [{name: app, image: node:20, command: [node], resources: {limits: {memory: 1Gi}}}]
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: not-a-workload}
                spec:
                  template: {name: a report template, spec: {containers: none}}
                """;
        Result result = run(manifests, "-f", "-");

        assertThat(result.code).isZero();
        List<JsonNode> documents = readAll(result.out);
        assertThat(launcher(documents.get(0).at("/spec/template/spec"))).isTrue();
        assertThat(launcher(documents.get(1).at("/spec/template/spec"))).isTrue();
        assertThat(documents.get(1).at("/spec/strategy")).isEqualTo(Json.YAML.readTree(manifests.split("---")[1])
                .at("/spec/strategy"));
        assertThat(documents.get(2)).isEqualTo(Json.YAML.readTree(manifests.split("---")[2]));
    }

    @Test
    void outputIsStableUnderASecondInject() throws Exception {
        Result once = run(WORKLOADS, "-f", "-");
        Result twice = run(once.out, "-f", "-");
        assertThat(twice.out).isEqualTo(once.out);
    }

    @Test
    void jsonInJsonOutAndFlagsApply() throws Exception {
        Path file = dir.resolve("pod.json");
        Files.writeString(file, """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                 "spec":{"containers":[{"name":"a","image":"x","command":["/x"],"resources":{"limits":{"memory":"1Gi"}}}]}}
                """);
        Result result = run("", "-f", file.toString(), "--launcher-image", "mirror.local/launcher:1", "--default-mode=data");
        assertThat(result.code).isZero();
        JsonNode pod = Json.MAPPER.readTree(result.out);
        assertThat(pod.at("/spec/initContainers/0/image").asString()).isEqualTo("mirror.local/launcher:1");
        assertThat(pod.at("/spec/containers/0/env/1/value").asString()).isEqualTo("data");
    }

    @Test
    void theImageVolumeDeliveryMountsTheLauncherImageWithItsPullPolicy() throws Exception {
        Result result = run(WORKLOADS, "-f", "-", "--delivery=imageVolume", "--launcher-image", "mirror.local/launcher:1",
                "--launcher-pull-policy", "Never");
        assertThat(result.code).isZero();
        JsonNode spec = readAll(result.out).get(1).at("/spec/template/spec");
        assertThat(spec.at("/containers/0/command/0").asString()).isEqualTo("/rlimit-injector/launch");
        assertThat(spec.has("initContainers")).isFalse();
        assertThat(spec.at("/volumes/0")).isEqualTo(Json.YAML.readTree(
                "{name: rlimit-injector, image: {reference: mirror.local/launcher:1, pullPolicy: Never}}"));
    }

    /**
     * The pods get the launcher's pull secrets; and inject, offline, never checks the launcher image: one on a closed
     * loopback port is still injected.
     */
    @Test
    void launcherPullSecretsAreAddedAndTheLauncherImageIsNotChecked() throws Exception {
        Result result = run(WORKLOADS, "-f", "-", "--launcher-image", LocalRegistry.downHost() + "/launcher:1",
                "--launcher-pull-secrets", "launcher-pull, other-pull");
        assertThat(result.code).isZero();
        JsonNode spec = readAll(result.out).get(1).at("/spec/template/spec");
        assertThat(launcher(spec)).isTrue();
        assertThat(spec.at("/imagePullSecrets")).isEqualTo(Json.YAML.readTree("[{name: launcher-pull}, {name: other-pull}]"));
        assertThat(run(WORKLOADS, "-f", "-", "--launcher-pull-secrets", "Launcher_Pull").code).isEqualTo(2);
    }

    @Test
    void invalidYamlExitsTwoWithTheLineItIsOn() throws Exception {
        Result result = run("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\nspec: {}\n", "-f", "-");
        assertThat(result.code).isEqualTo(2);
        assertThat(result.err).contains("invalid YAML in -").contains("line ").contains(" | ");
        assertThat(result.out).isEmpty();
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        assertThat(Main.run(List.of("inject"))).isEqualTo(2);
        assertThat(run("apiVersion: v1\nkind: Pod\n", "-f", "-", "--default-ratio", "2").code).isEqualTo(2);
        assertThat(Main.run(List.of("inject", "--bogus"))).isEqualTo(2);
        assertThatThrownBy(() -> InjectCommand.run(List.of("-f", "-", "--delivery", "initcontainer"), Map.of(),
                new ByteArrayInputStream(new byte[0]), System.out, System.err))
                .hasMessage("--delivery must be initContainer or imageVolume, got \"initcontainer\"");
        assertThat(run("apiVersion: v1\nkind: Pod\n", "-f", "-", "--launcher-pull-policy", "Sometimes").code)
                .isEqualTo(2);
        assertThat(Main.run(List.of("frobnicate"))).isEqualTo(2);
        assertThat(run("", "-f", dir.resolve("missing.yaml").toString()).code).isEqualTo(1);
    }

    private static boolean launcher(JsonNode podSpec) {
        return podSpec.at("/containers/0/command/0").asString("").equals("/rlimit-injector/launch")
                && podSpec.at("/initContainers/0/name").asString("").equals("rlimit-injector-install");
    }

    private static List<JsonNode> readAll(String yaml) {
        try (MappingIterator<JsonNode> iterator = Json.YAML.readerFor(JsonNode.class).readValues(yaml)) {
            return iterator.readAll();
        }
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(String stdin, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            code = InjectCommand.run(List.of(args), Map.of(),
                    new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        } catch (Options.UsageException e) {
            code = 2;
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
