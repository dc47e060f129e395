package io.rlimitinjector.cli;

import io.rlimitinjector.inject.ManifestInjector;
import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.registry.LookupObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;

/**
 * {@code inject -f FILE|-}: reads manifests, writes them with their pods mutated as the webhook would. JSON in
 * gives JSON out; YAML in, YAML out, one document per input document.
 */
final class InjectCommand {
    static final String USAGE = """
            usage: rlimit-injector inject -f FILE|- [flags]
              -f, --filename FILE           manifests to read, YAML or JSON, several documents allowed; - is stdin
            Writes the manifests with their pods mutated to stdout and the warnings to stderr.
            Exit codes: 0 done, 1 cannot read the file, 2 invalid input or usage.
            """ + SettingsFlags.USAGE + RegistryFlags.USAGE;
    static final Set<String> FLAGS = flags();

    private InjectCommand() {
    }

    static int run(List<String> args, Map<String, String> env, InputStream stdin, PrintStream out, PrintStream err)
            throws Exception {
        Options options = Options.parse(args, FLAGS, RegistryFlags.SWITCHES, env);
        String file = options.get("f", options.get("filename", null));
        if (file == null) {
            throw new Options.UsageException("-f FILE or -f - is required");
        }
        try (KubernetesConnection kubernetes = new KubernetesConnection()) {
            PodInjector pods = new PodInjector(new PodMutator(SettingsFlags.read(options)));
            ManifestInjector injector = new ManifestInjector(pods,
                    RegistryFlags.resolver(options, LookupObserver.NONE, kubernetes));
            String text;
            try {
                text = file.equals("-")
                        ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                        : Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                err.println("rlimit-injector inject: no such file: " + file);
                return 1;
            }
            boolean json = text.stripLeading().startsWith("{") || text.stripLeading().startsWith("[");
            List<JsonNode> documents;
            try {
                documents = read(text, json);
            } catch (JacksonException e) {
                err.println("rlimit-injector inject: invalid " + (json ? "JSON" : "YAML") + " in " + file
                        + describe(e, text));
                return 2;
            }
            for (JsonNode document : documents) {
                if (document.isObject()) {
                    injector.inject(document).forEach(warning -> err.println("Warning: " + warning));
                }
            }
            write(documents, json, out);
            return 0;
        }
    }

    static List<JsonNode> read(String text, boolean json) {
        List<JsonNode> documents = new ArrayList<>();
        if (json) {
            documents.add(Json.MAPPER.readTree(text));
            return documents;
        }
        try (MappingIterator<JsonNode> iterator = Json.YAML.readerFor(JsonNode.class).readValues(text)) {
            while (iterator.hasNextValue()) {
                JsonNode document = iterator.nextValue();
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }

    private static void write(List<JsonNode> documents, boolean json, PrintStream out) throws IOException {
        if (json) {
            for (JsonNode document : documents) {
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(document));
            }
            return;
        }
        boolean first = true;
        for (JsonNode document : documents) {
            if (!first) {
                out.println("---");
            }
            out.print(Json.YAML.writeValueAsString(document));
            first = false;
        }
        out.flush();
    }

    /** The parser's message with the line it points at, so a typo in a long file is found at once. */
    static String describe(JacksonException e, String text) {
        TokenStreamLocation location = e.getLocation();
        if (location == null || location.getLineNr() < 1) {
            return ": " + e.getOriginalMessage();
        }
        String[] lines = text.split("\n", -1);
        int line = location.getLineNr();
        String context = line <= lines.length ? lines[line - 1] : "";
        int column = Math.max(1, location.getColumnNr());
        return " at line " + line + ", column " + column + ": " + e.getOriginalMessage().lines().findFirst().orElse("")
                + "\n  " + line + " | " + context
                + "\n  " + " ".repeat(String.valueOf(line).length()) + " | " + " ".repeat(Math.max(0, column - 1)) + "^";
    }

    private static Set<String> flags() {
        Set<String> flags = new HashSet<>(SettingsFlags.NAMES);
        flags.addAll(RegistryFlags.NAMES);
        flags.addAll(Set.of("f", "filename"));
        return Set.copyOf(flags);
    }
}
