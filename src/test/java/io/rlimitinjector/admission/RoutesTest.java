package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the server answers around its endpoints: unknown paths and methods, failures, bodies refused. */
class RoutesTest {
    @TempDir
    static Path certificates;
    static CertificateAuthority ca;
    static ReloadingTlsContext tls;
    static Server server;
    static HttpClient client;
    static URI base;

    @BeforeAll
    static void start() throws Exception {
        ca = CertificateAuthority.create("test-ca", Duration.ofHours(1));
        TestTls files = new TestTls(certificates);
        files.publish(TestTls.localPair(ca));
        ServerSettings settings = new ServerSettings("127.0.0.1", 0, files.certificateFile(), files.keyFile(),
                Duration.ofSeconds(1));
        tls = ReloadingTlsContext.watch(files.certificateFile(), files.keyFile(), Duration.ofSeconds(1));
        server = HttpsServer.create(settings, tls, new Routes()
                        .get("/ok", request -> Answer.text(200, "ok"))
                        .get("/broken", request -> {
                            throw new IllegalStateException("a bug");
                        })
                        .post("/echo", request -> new Answer(200, "application/octet-stream",
                                RequestBody.read(request))));
        server.start();
        client = HttpClient.newBuilder().sslContext(TestTls.trusting(ca.certificate())).build();
        base = URI.create("https://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
    }

    @AfterAll
    static void stop() throws Exception {
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
    void aFailingEndpointGets500WithoutItsCauseAndTheServerKeepsServing() throws Exception {
        HttpResponse<String> broken = send(HttpRequest.newBuilder(base.resolve("/broken")));
        assertThat(broken.statusCode()).isEqualTo(500);
        assertThat(broken.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
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

    /** Chunked, so no length is declared: the server stops reading one byte past the limit. */
    @Test
    void aChunkedBodyPastTheLimitGets413AndItsConnectionCloses() throws Exception {
        byte[] body = new byte[ServerSettings.MAX_BODY_BYTES + 1];
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
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
