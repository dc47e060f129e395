package io.rlimitinjector.testing;

import io.rlimitinjector.certs.CertificateAuthority;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A real registry (Debian's {@code docker-registry}, distribution v2) on loopback, each kind started once per test
 * run: plain HTTP and anonymous; TLS from a test CA with htpasswd basic auth; plain HTTP with bearer tokens from a
 * {@link TokenServer}. Its access log counts the requests our client makes.
 */
public final class LocalRegistry {
    public static final Path BINARY = Path.of("/usr/bin/docker-registry");
    public static final String USER = "puller";
    public static final String PASSWORD = "s3cret-pull";
    /** The client's User-Agent, which tells its requests apart from the tests' pushes in the access log. */
    private static final String CLIENT_AGENT = "\"rlimit-injector\"";

    private static LocalRegistry plain;
    private static LocalRegistry secured;
    private static LocalRegistry tokenAuth;

    private final String host;
    private final Path accessLog;
    private final CertificateAuthority ca;
    private final HttpClient http;
    /** The tests' own Authorization header for pushing to a repository, or null. */
    private final Function<String, String> authorization;
    private final TokenServer tokens;

    private LocalRegistry(String host, Path accessLog, CertificateAuthority ca, HttpClient http,
            Function<String, String> authorization, TokenServer tokens) {
        this.host = host;
        this.accessLog = accessLog;
        this.ca = ca;
        this.http = http;
        this.authorization = authorization;
        this.tokens = tokens;
    }

    /** Skips the test (fails it in CI) when the registry binary is not installed. */
    public static void require() {
        Requirements.require(Files.isExecutable(BINARY), BINARY + " (apt-get install docker-registry)");
    }

    public static synchronized LocalRegistry plain() throws Exception {
        require();
        if (plain == null) {
            plain = start(Kind.PLAIN);
        }
        return plain;
    }

    public static synchronized LocalRegistry secured() throws Exception {
        require();
        if (secured == null) {
            secured = start(Kind.BASIC_AUTH);
        }
        return secured;
    }

    public static synchronized LocalRegistry tokenAuth() throws Exception {
        require();
        if (tokenAuth == null) {
            tokenAuth = start(Kind.TOKEN_AUTH);
        }
        return tokenAuth;
    }

    /** The token server of a {@link #tokenAuth()} registry. */
    public TokenServer tokens() {
        return tokens;
    }

    /** {@code 127.0.0.1:PORT}, the registry part of image references. */
    public String host() {
        return host;
    }

    public CertificateAuthority ca() {
        return ca;
    }

    /** Requests our client (not the tests' pushes) made for a repository so far. */
    public long clientRequests(String repository) throws IOException {
        return Files.readAllLines(accessLog, StandardCharsets.UTF_8).stream()
                .filter(line -> line.contains(CLIENT_AGENT) && line.contains(" /v2/" + repository + "/"))
                .count();
    }

    /** Uploads a blob (POST then monolithic PUT) and returns its digest. */
    public String pushBlob(String repository, byte[] content) throws Exception {
        String digest = TestImagesOci.digest(content);
        HttpResponse<String> started = send(request(repository, "/v2/" + repository + "/blobs/uploads/")
                .POST(HttpRequest.BodyPublishers.noBody()), 202);
        URI location = URI.create(base()).resolve(started.headers().firstValue("Location").orElseThrow());
        String separator = location.getQuery() == null ? "?" : "&";
        send(authorized(repository, HttpRequest.newBuilder(URI.create(location + separator + "digest=" + digest)))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)), 201);
        return digest;
    }

    /** Puts a manifest under a tag or digest and returns its digest. */
    public String pushManifest(String repository, String reference, String mediaType, byte[] manifest) throws Exception {
        send(request(repository, "/v2/" + repository + "/manifests/" + reference)
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)), 201);
        return TestImagesOci.digest(manifest);
    }

    private HttpRequest.Builder request(String repository, String path) {
        return authorized(repository, HttpRequest.newBuilder(URI.create(base() + path)));
    }

    private HttpRequest.Builder authorized(String repository, HttpRequest.Builder request) {
        String header = authorization.apply(repository);
        return header == null ? request : request.header("Authorization", header);
    }

    private HttpResponse<String> send(HttpRequest.Builder request, int expected) throws Exception {
        HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(response.request().method() + " " + response.uri() + ": HTTP "
                    + response.statusCode() + " " + response.body());
        }
        return response;
    }

    private String base() {
        return (ca == null ? "http://" : "https://") + host;
    }

    private enum Kind { PLAIN, BASIC_AUTH, TOKEN_AUTH }

    private static LocalRegistry start(Kind kind) throws Exception {
        Path dir = Files.createTempDirectory("registry");
        dir.toFile().deleteOnExit();
        int port = freePort();
        String host = "127.0.0.1:" + port;
        StringBuilder config = new StringBuilder("""
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: %s
                """.formatted(dir.resolve("data"), host));
        CertificateAuthority ca = null;
        HttpClient http = HttpClient.newHttpClient();
        Function<String, String> authorization = repository -> null;
        TokenServer tokens = null;
        if (kind == Kind.BASIC_AUTH) {
            ca = CertificateAuthority.create("registry-test-ca", Duration.ofHours(2));
            CertificateAuthority.IssuedCertificate pair = TestTls.localPair(ca);
            Files.writeString(dir.resolve("tls.crt"), pair.certificatePem());
            Files.writeString(dir.resolve("tls.key"), pair.keyPem());
            Files.writeString(dir.resolve("htpasswd"), USER + ":" + bcrypt(PASSWORD) + "\n");
            config.append("""
                      tls:
                        certificate: %s
                        key: %s
                    auth:
                      htpasswd:
                        realm: test-registry
                        path: %s
                    """.formatted(dir.resolve("tls.crt"), dir.resolve("tls.key"), dir.resolve("htpasswd")));
            http = HttpClient.newBuilder().sslContext(TestTls.trusting(ca.certificate())).build();
            String basic = "Basic " + Base64.getEncoder()
                    .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            authorization = repository -> basic;
        }
        if (kind == Kind.TOKEN_AUTH) {
            TokenServer server = TokenServer.start();
            tokens = server;
            Files.writeString(dir.resolve("token-ca.pem"), server.rootCertificatePem());
            config.append("""
                    auth:
                      token:
                        realm: %s
                        service: %s
                        issuer: %s
                        rootcertbundle: %s
                    """.formatted(server.realm(), TokenServer.SERVICE, TokenServer.ISSUER, dir.resolve("token-ca.pem")));
            authorization = repository -> {
                try {
                    return "Bearer " + server.token("repository:" + repository + ":pull,push");
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            };
        }
        Files.writeString(dir.resolve("config.yml"), config);
        Path log = dir.resolve("access.log");
        Process process = new ProcessBuilder(BINARY.toString(), "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        LocalRegistry registry = new LocalRegistry(host, log, ca, http, authorization, tokens);
        registry.awaitReady(process);
        return registry;
    }

    private void awaitReady(Process process) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("registry exited: " + Files.readString(accessLog));
            }
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create(base() + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("registry did not start: " + Files.readString(accessLog));
    }

    private static String bcrypt(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate("2a", password.toCharArray(), salt, 10);
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** {@code 127.0.0.1:PORT} with nothing listening on the port: a registry that is down. */
    public static String downHost() throws IOException {
        return "127.0.0.1:" + freePort();
    }

    /** Lines of the access log, for a failing test's message. */
    public List<String> log() throws IOException {
        return Files.readAllLines(accessLog, StandardCharsets.UTF_8);
    }

}
