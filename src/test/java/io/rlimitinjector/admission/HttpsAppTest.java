package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.Javalin;
import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.testing.TestTls;
import io.rlimitinjector.tls.ReloadingTlsContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the server answers around its endpoints: protocols, unknown paths and methods, failures, bodies refused. */
class HttpsAppTest {
    @TempDir
    static Path certificates;
    static CertificateAuthority ca;
    static ReloadingTlsContext tls;
    static Javalin server;
    /** HTTP/2, as the JDK's client chooses when offered. */
    static HttpClient client;
    static HttpClient http11;
    static final CyclicBarrier together = new CyclicBarrier(4);
    static URI base;

    @BeforeAll
    static void start() throws Exception {
        ca = CertificateAuthority.create("test-ca", Duration.ofHours(1));
        TestTls files = new TestTls(certificates);
        files.publish(TestTls.localPair(ca));
        ServerSettings settings = new ServerSettings("127.0.0.1", 0, 0, files.certificateFile(), files.keyFile(),
                Duration.ofSeconds(1));
        tls = ReloadingTlsContext.watch(files.certificateFile(), files.keyFile(), Duration.ofSeconds(1));
        server = HttpsApp.create(settings, tls, routes -> routes
                .get("/ok", ctx -> HttpsApp.text(ctx, 200, "ok"))
                .get("/broken", ctx -> {
                    throw new IllegalStateException("a bug");
                })
                .post("/echo", ctx -> ctx.result(RequestBody.read(ctx)))
                .get("/together", ctx -> {
                    together.await(10, TimeUnit.SECONDS);
                    ctx.result(ServletContextRequest.getServletContextRequest(ctx.req())
                            .getConnectionMetaData().getId());
                }));
        server.start();
        client = HttpClient.newBuilder().sslContext(TestTls.trusting(ca.certificate())).build();
        http11 = HttpClient.newBuilder().sslContext(TestTls.trusting(ca.certificate()))
                .version(HttpClient.Version.HTTP_1_1).build();
        base = URI.create("https://127.0.0.1:" + HttpsApp.port(server));
    }

    @AfterAll
    static void stop() {
        server.stop();
        tls.close();
    }

    @Test
    void unknownPathsGet404AndOtherMethods405() throws Exception {
        assertThat(send(HttpRequest.newBuilder(base.resolve("/nope"))).statusCode()).isEqualTo(404);
        HttpResponse<String> wrongMethod = send(HttpRequest.newBuilder(base.resolve("/echo")));
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void pathsMatchExactly() throws Exception {
        for (String path : new String[] {"/ok/", "/OK", "//ok", "/ok/x"}) {
            assertThat(send(HttpRequest.newBuilder(URI.create(base + path))).statusCode()).as(path).isEqualTo(404);
        }
    }

    @Test
    void http2IsOfferedAndHttp11StillServed() throws Exception {
        HttpResponse<String> h2 = send(HttpRequest.newBuilder(base.resolve("/ok")));
        assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
        HttpResponse<String> h1 = http11.send(HttpRequest.newBuilder(base.resolve("/ok")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(h1.body()).isEqualTo(h2.body()).isEqualTo("ok");
    }

    /** The API server calling a webhook by service name offers only "http/1.1" by ALPN, as curl --http1.1 does. */
    @Test
    void aClientOfferingOnlyHttp11ByAlpnGetsIt() throws Exception {
        try (SSLSocket socket = (SSLSocket) TestTls.trusting(ca.certificate()).getSocketFactory()
                .createSocket("127.0.0.1", base.getPort())) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            assertThat(socket.getApplicationProtocol()).isEqualTo("http/1.1");
            socket.getOutputStream().write("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(answer).isEqualTo("HTTP/1.1 200");
        }
    }

    /** Each request waits until all four are in the server at once, so they are answered in parallel. */
    @Test
    void parallelRequestsShareOneHttp2Connection() throws Exception {
        send(HttpRequest.newBuilder(base.resolve("/ok")));
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < together.getParties(); i++) {
            answers.add(client.sendAsync(HttpRequest.newBuilder(base.resolve("/together")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Set<String> connections = new HashSet<>();
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get(20, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            connections.add(response.body());
        }
        assertThat(connections).hasSize(1);
    }

    @Test
    void aFailingEndpointGets500WithoutItsCauseAndTheServerKeepsServing() throws Exception {
        HttpResponse<String> broken = send(HttpRequest.newBuilder(base.resolve("/broken")));
        assertThat(broken.statusCode()).isEqualTo(500);
        assertThat(broken.headers().firstValue("Content-Type")).hasValue("text/plain;charset=utf-8");
        assertThat(broken.body()).isNotBlank().doesNotContain("a bug").doesNotContain("Exception");
        assertThat(send(HttpRequest.newBuilder(base.resolve("/ok"))).body()).isEqualTo("ok");
    }

    @Test
    void aBodyUpToTheLimitIsReadWhole() throws Exception {
        byte[] body = new byte[ServerSettings.MAX_BODY_BYTES];
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(base.resolve("/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).hasSize(ServerSettings.MAX_BODY_BYTES);
    }

    /** HTTP/1.1 and chunked, so no length is declared: the server stops reading one byte past the limit. */
    @Test
    void aChunkedBodyPastTheLimitGets413AndItsConnectionCloses() throws Exception {
        byte[] body = new byte[ServerSettings.MAX_BODY_BYTES + 1];
        HttpResponse<String> response = http11.send(HttpRequest.newBuilder(base.resolve("/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).isEqualTo("request body larger than 3145728 bytes");
        assertThat(response.headers().firstValue("Connection")).hasValue("close");
        assertThat(send(HttpRequest.newBuilder(base.resolve("/ok"))).statusCode()).isEqualTo(200);
    }

    /** As Python's http.client does: a client that reads nothing before it has sent the whole body. */
    @Test
    void aBodyPastTheLimitSentWholeStillGetsItsAnswer() throws Exception {
        try (SSLSocket socket = (SSLSocket) TestTls.trusting(ca.certificate()).getSocketFactory()
                .createSocket("127.0.0.1", base.getPort())) {
            socket.setSoTimeout(10_000);
            byte[] body = new byte[ServerSettings.MAX_BODY_BYTES + 100_000];
            OutputStream out = socket.getOutputStream();
            out.write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(answer).isEqualTo("HTTP/1.1 413");
        }
    }

    @Test
    void aClientTricklingItsBodyIsCutOff() throws Exception {
        try (SSLSocket socket = (SSLSocket) TestTls.trusting(ca.certificate()).getSocketFactory()
                .createSocket("127.0.0.1", base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            assertThatThrownBy(() -> {
                while (Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10) {
                    out.write('{');
                    out.flush();
                    Thread.sleep(500);
                }
            }).as("the server closes the connection").isInstanceOf(IOException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
