package io.rlimitinjector.json;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/** The project's one JSON and one YAML mapper, configured so Kubernetes objects round-trip unchanged. */
public final class Json {
    /** Keeps field order as declared or as read, so diffs and golden files stay readable. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    public static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            // "0.9" and "8080" must stay strings, or the API server rejects an env value or an argument.
            .enable(YAMLWriteFeature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .disable(YAMLWriteFeature.SPLIT_LINES)
            .build();

    private Json() {
    }

    /** A JSON string literal of the text, quoted and escaped: text from a request or a registry forges no log line. */
    public static String quoted(String text) {
        return MAPPER.writeValueAsString(text);
    }
}
