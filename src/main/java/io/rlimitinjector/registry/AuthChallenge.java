package io.rlimitinjector.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235), such as
 * {@code Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"}.
 *
 * @param scheme lower case: {@code bearer} or {@code basic}
 * @param params parameter names in lower case; values unquoted
 */
record AuthChallenge(String scheme, Map<String, String> params) {
    AuthChallenge {
        params = Map.copyOf(params);
    }

    String param(String name) {
        return params.get(name);
    }

    /**
     * Every challenge in the header. Tolerant: registries differ in spacing, quoting and commas inside quoted scopes
     * ({@code scope="repository:a:pull,push"}); what cannot be read is dropped, never thrown.
     */
    static List<AuthChallenge> parse(String header) {
        List<AuthChallenge> challenges = new ArrayList<>();
        if (header == null) {
            return challenges;
        }
        Cursor cursor = new Cursor(header);
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (cursor.skipSeparators()) {
            String token = cursor.token();
            if (token.isEmpty()) {
                // A stray quoted string or '=': junk between challenges, consumed whole.
                cursor.value();
                continue;
            }
            if (cursor.peekEquals()) {
                cursor.skip();
                String value = cursor.value();
                if (scheme != null) {
                    params.putIfAbsent(token.toLowerCase(Locale.ROOT), value);
                }
            } else {
                if (scheme != null) {
                    challenges.add(new AuthChallenge(scheme, params));
                }
                scheme = token.toLowerCase(Locale.ROOT);
                params = new LinkedHashMap<>();
            }
        }
        if (scheme != null) {
            challenges.add(new AuthChallenge(scheme, params));
        }
        return challenges;
    }

    /** A hand-written scanner: the grammar has quoted strings with escapes, which a split on commas would break. */
    private static final class Cursor {
        private final String text;
        private int at;

        Cursor(String text) {
            this.text = text;
        }

        /** Skips blanks and commas; false at the end. */
        boolean skipSeparators() {
            while (at < text.length() && (text.charAt(at) == ',' || Character.isWhitespace(text.charAt(at)))) {
                at++;
            }
            return at < text.length();
        }

        void skip() {
            at++;
        }

        String token() {
            int start = at;
            while (at < text.length() && !Character.isWhitespace(text.charAt(at)) && text.charAt(at) != ','
                    && text.charAt(at) != '=' && text.charAt(at) != '"') {
                at++;
            }
            return text.substring(start, at);
        }

        /** Whether an {@code =} follows, blanks allowed before it; leaves the cursor on it if so. */
        boolean peekEquals() {
            int look = at;
            while (look < text.length() && text.charAt(look) == ' ') {
                look++;
            }
            if (look < text.length() && text.charAt(look) == '=') {
                at = look;
                return true;
            }
            return false;
        }

        /** A quoted or bare value; always consumes at least one character unless at the end. */
        String value() {
            while (at < text.length() && text.charAt(at) == ' ') {
                at++;
            }
            if (at >= text.length() || text.charAt(at) != '"') {
                int start = at;
                while (at < text.length() && text.charAt(at) != ',' && !Character.isWhitespace(text.charAt(at))) {
                    at++;
                }
                if (at == start && at < text.length()) {
                    at++;
                }
                return text.substring(start, at);
            }
            StringBuilder value = new StringBuilder();
            at++;
            while (at < text.length() && text.charAt(at) != '"') {
                if (text.charAt(at) == '\\' && at + 1 < text.length()) {
                    at++;
                }
                value.append(text.charAt(at++));
            }
            at++;
            return value.toString();
        }
    }
}
