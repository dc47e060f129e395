package io.rlimitinjector.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** What Linux's {@code /proc} tells about a process on this machine, for tests and benchmarks. */
public final class ProcessStats {
    private static final long TICKS_PER_SECOND = Long.getLong("clk.tck", 100);

    private ProcessStats() {
    }

    /** User and system CPU time the process has used so far. */
    public static long cpuNanos(long pid) {
        String stat = read(Path.of("/proc/" + pid + "/stat"));
        String[] field = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(field[11]) + Long.parseLong(field[12])) * 1_000_000_000L / TICKS_PER_SECOND;
    }

    /** Established TCP connections whose local port is {@code port}: a server's side of each of its connections. */
    public static int establishedConnections(int port) {
        return clientsOf(port).size();
    }

    /** The remote end of each established TCP connection into local {@code port}, in {@code /proc}'s hex. */
    public static Set<String> clientsOf(int port) {
        Set<String> clients = new HashSet<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            for (String line : read(Path.of(table)).split("\n")) {
                String[] field = line.trim().split("\\s+");
                if (field.length > 3 && field[1].endsWith(String.format(":%04X", port)) && field[3].equals("01")) {
                    clients.add(field[2]);
                }
            }
        }
        return clients;
    }

    /** A field of {@code /proc/PID/status}, such as {@code VmRSS} or {@code Threads}, as it is written there. */
    public static String status(long pid, String field) {
        return read(Path.of("/proc/" + pid + "/status")).lines().filter(line -> line.startsWith(field + ":"))
                .findFirst().orElseThrow().substring(field.length() + 1).trim();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
