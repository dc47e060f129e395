package io.rlimitinjector.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AutoModeTest {
    @Test
    void programNameDecidesFirst() {
        assertThat(decide(List.of("/usr/bin/python3.12", "app.py"), "eclipse-temurin:21").mode()).isEqualTo(Mode.AS);
        assertThat(decide(List.of("java", "-jar", "a.jar"), "python:3.12").mode()).isEqualTo(Mode.DATA);
    }

    @Test
    void looksThroughWrappersAndShells() {
        assertThat(AutoMode.programName(List.of("tini", "--", "node", "x.js"))).hasValue("node");
        assertThat(AutoMode.programName(List.of("/bin/bash", "-e", "-c", "exec dotnet app.dll"))).hasValue("dotnet");
        assertThat(AutoMode.programName(List.of("env", "A=1", "B=2", "ruby", "x.rb"))).hasValue("ruby");
        assertThat(AutoMode.programName(List.of("sh"))).hasValue("sh");
        assertThat(AutoMode.programName(List.of())).isEmpty();
    }

    @Test
    void imageWordsIgnoreRegistryTagAndDigest() {
        assertThat(AutoMode.repositoryWords("localhost:5000/team/eclipse-temurin:21-jre@sha256:abc"))
                .containsExactly("team", "eclipse", "temurin");
        assertThat(AutoMode.repositoryWords("gcr.io/distroless/java17-debian12")).containsExactly("distroless", "java", "debian");
        assertThat(AutoMode.repositoryWords("node")).containsExactly("node");
    }

    @Test
    void unknownProgramAndImageLeaveTheDecisionToTheLauncher() {
        ModeChoice choice = decide(List.of("/app/server"), "quay.io/acme/server:1");
        assertThat(choice.mode()).isEqualTo(Mode.AUTO);
        assertThat(choice.reason()).contains("launcher");
    }

    @Test
    void gpuWinsOverEverything() {
        ModeChoice choice = AutoMode.decide(List.of("python", "train.py"), "python:3.12", Set.of(), Set.of("nvidia.com/gpu"));
        assertThat(choice.mode()).isEqualTo(Mode.DATA);
        assertThat(choice.reason()).contains("nvidia.com/gpu");
    }

    private static ModeChoice decide(List<String> command, String image) {
        return AutoMode.decide(command, image, Set.of(), Set.of());
    }
}
