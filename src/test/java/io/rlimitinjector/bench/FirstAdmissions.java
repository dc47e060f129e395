package io.rlimitinjector.bench;

import io.rlimitinjector.testing.ProcessStats;
import io.rlimitinjector.testing.TestTls;
import io.rlimitinjector.tls.PemIdentity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A benchmark, not a test ({@code hack/first-admissions.sh}): one webhook process just after it reported ready,
 * sent one AdmissionReview at a time over one HTTP/2 connection, as the API server sends them, with a pause between
 * requests. Prints the process's CPU time per request and the median latency for the first 100 requests and for
 * later windows, the last being the steady state.
 *
 * <p>{@code FirstAdmissions PORT PID REQUESTS REVIEW.json CERTIFICATE.pem}: the webhook's own self-signed certificate
 * is the one it trusts.
 */
public final class FirstAdmissions {
    static final int FIRST = 100;

    private FirstAdmissions() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long pid = Long.parseLong(args[1]);
        int requests = Integer.parseInt(args[2]);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(
                TestTls.trusting(PemIdentity.certificates(Files.readString(Path.of(args[4]))).get(0)))
                .build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/mutate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(Path.of(args[3])))).build();
        long[] latency = new long[requests];
        long[] cpu = new long[requests + 1];
        cpu[0] = ProcessStats.cpuNanos(pid);
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            latency[i] = System.nanoTime() - start;
            cpu[i + 1] = ProcessStats.cpuNanos(pid);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("request " + i + " got " + response.statusCode());
            }
            // The API server's calls come spaced out; a pause also lets the JIT's compiler threads catch up.
            Thread.sleep(5);
        }
        int steady = Math.max(FIRST, requests - 500);
        for (int[] window : new int[][] {{0, FIRST}, {FIRST, Math.min(500, steady)}, {steady, requests}}) {
            if (window[1] <= window[0]) {
                continue;
            }
            long[] sorted = Arrays.copyOfRange(latency, window[0], window[1]);
            Arrays.sort(sorted);
            System.out.printf("requests %d-%d: %.3f ms CPU each, median %.2f ms%n", window[0] + 1, window[1],
                    (cpu[window[1]] - cpu[window[0]]) / 1e6 / (window[1] - window[0]), sorted[sorted.length / 2] / 1e6);
        }
    }
}
