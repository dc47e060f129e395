package io.rlimitinjector.mutation;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Runtimes the auto mode recognises, and the rlimit each one tolerates (DESIGN.md's measurements): the JVM, V8, Go
 * and .NET reserve far more address space than they use, so RLIMIT_AS stops them from starting; interpreters
 * built on glibc malloc are fine with it.
 */
enum Runtime {
    JVM("the JVM", Mode.DATA, Pattern.compile("java"),
            List.of("openjdk", "temurin", "corretto", "jdk", "jre", "java", "semeru", "sapmachine", "zulu"),
            List.of("JAVA_HOME", "JAVA_VERSION", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")),
    NODE("Node.js", Mode.DATA, Pattern.compile("node|nodejs|bun|deno"),
            List.of("node", "bun", "deno"),
            List.of("NODE_VERSION", "NODE_OPTIONS")),
    GO("Go", Mode.DATA, Pattern.compile("go"),
            List.of("golang"),
            List.of("GOLANG_VERSION")),
    DOTNET(".NET", Mode.DATA, Pattern.compile("dotnet"),
            List.of("dotnet", "aspnet"),
            List.of("DOTNET_VERSION", "ASPNET_VERSION", "DOTNET_RUNNING_IN_CONTAINER")),
    PYTHON("Python", Mode.AS, Pattern.compile("python[0-9.]*|pypy[0-9.]*|gunicorn|uvicorn|celery"),
            List.of("python", "pypy"),
            List.of("PYTHON_VERSION")),
    RUBY("Ruby", Mode.AS, Pattern.compile("ruby[0-9.]*|bundle|rails|puma"),
            List.of("ruby"),
            List.of("RUBY_VERSION")),
    PERL("Perl", Mode.AS, Pattern.compile("perl[0-9.]*"),
            List.of("perl"),
            List.of("PERL_VERSION")),
    PHP("PHP", Mode.AS, Pattern.compile("php[0-9.]*|php-fpm[0-9.]*"),
            List.of("php"),
            List.of("PHP_VERSION"));

    final String displayName;
    final Mode mode;
    private final Pattern program;
    private final List<String> imageWords;
    final List<String> envMarkers;

    Runtime(String displayName, Mode mode, Pattern program, List<String> imageWords, List<String> envMarkers) {
        this.displayName = displayName;
        this.mode = mode;
        this.program = program;
        this.imageWords = imageWords;
        this.envMarkers = envMarkers;
    }

    boolean runsProgram(String basename) {
        return program.matcher(basename).matches();
    }

    /** Whether a word of the image's repository name names this runtime, as in {@code eclipse-temurin} or {@code node}. */
    boolean namesImage(List<String> repositoryWords) {
        return repositoryWords.stream().anyMatch(imageWords::contains);
    }
}
