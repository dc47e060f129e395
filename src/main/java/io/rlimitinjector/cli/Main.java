package io.rlimitinjector.cli;

import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;

/** The one jar's entry point: {@code serve}, {@code inject} or {@code check}. */
public final class Main {
    static final String USAGE = """
            usage: rlimit-injector <command> [flags]
              serve    run the admission webhook over HTTPS
              inject   mutate manifests offline: rlimit-injector inject -f FILE|-
              check    explain whether a pod is injected: rlimit-injector check [-n NS] [pod/NAME | -f FILE]
            Run a command with --help for its flags.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args)));
    }

    static int run(List<String> args) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
            System.out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        String usage = switch (command) {
            case "serve" -> ServeCommand.USAGE;
            case "inject" -> InjectCommand.USAGE;
            case "check" -> CheckCommand.USAGE;
            default -> null;
        };
        if (usage == null) {
            System.err.print("unknown command \"" + command + "\"\n" + USAGE);
            return 2;
        }
        if (rest.contains("--help") || rest.contains("-h")) {
            System.out.print(usage);
            return 0;
        }
        try {
            if (command.equals("serve")) {
                ServeCommand.run(Options.parse(rest, ServeCommand.FLAGS, ServeCommand.SWITCHES, System.getenv()));
                return 0;
            }
            if (command.equals("check")) {
                return CheckCommand.run(rest, System.getenv(), System.out, System.err);
            }
            return InjectCommand.run(rest, System.getenv(), System.in, System.out, System.err);
        } catch (Options.UsageException e) {
            System.err.print("rlimit-injector " + command + ": " + e.getMessage() + "\n" + usage);
            return 2;
        } catch (NoSuchFileException e) {
            System.err.println("rlimit-injector " + command + ": no such file: " + e.getFile());
            return 1;
        } catch (Exception e) {
            System.err.println("rlimit-injector " + command + ": " + describe(e));
            return 1;
        }
    }

    /** The message and its causes': a client library's "An error has occurred." alone tells an operator nothing. */
    static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder(String.valueOf(failure.getMessage()));
        // Bounded, as a cause chain can loop.
        Throwable cause = failure.getCause();
        for (int depth = 0; cause != null && depth < 8; depth++, cause = cause.getCause()) {
            String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            if (!text.toString().contains(message)) {
                text.append(": ").append(message);
            }
        }
        return text.toString();
    }
}
