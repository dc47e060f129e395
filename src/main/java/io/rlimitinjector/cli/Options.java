package io.rlimitinjector.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Command-line flags, each with an environment twin: {@code --tls-cert} is also {@code RLIMIT_INJECTOR_TLS_CERT}.
 * A flag wins over its variable, so a Helm value can be overridden on the command line.
 */
final class Options {
    static final String ENV_PREFIX = "RLIMIT_INJECTOR_";

    private final Map<String, String> flags;
    private final Set<String> switches;
    private final List<String> positional;
    private final Map<String, String> env;

    private Options(Map<String, String> flags, Set<String> switches, List<String> positional, Map<String, String> env) {
        this.flags = flags;
        this.switches = switches;
        this.positional = positional;
        this.env = env;
    }

    /**
     * @param known flags that take a value; anything else starting with {@code -} is an error
     * @param knownSwitches flags that take none
     */
    static Options parse(List<String> args, Set<String> known, Set<String> knownSwitches, Map<String, String> env) {
        Map<String, String> flags = new LinkedHashMap<>();
        Set<String> switches = new HashSet<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("-") || arg.equals("-")) {
                positional.add(arg);
                continue;
            }
            String name = arg.replaceFirst("^--?", "");
            String value = null;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            if (knownSwitches.contains(name) && value == null) {
                switches.add(name);
            } else if (known.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException("flag --" + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                flags.put(name, value);
            } else {
                throw new UsageException("unknown flag " + arg);
            }
        }
        return new Options(flags, switches, positional, env);
    }

    String get(String name, String fallback) {
        String value = flags.get(name);
        if (value == null) {
            value = env.get(ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        return value == null || value.isEmpty() ? fallback : value;
    }

    int getInt(String name, int fallback) {
        String value = get(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, got \"" + value + "\"");
        }
    }

    boolean has(String name) {
        return switches.contains(name)
                || "true".equalsIgnoreCase(env.get(ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_')));
    }

    List<String> positional() {
        return positional;
    }

    /** Wrong usage: the message is printed with the command's usage and the exit code is 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message, null, false, false);
        }
    }
}
