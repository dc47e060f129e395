package io.rlimitinjector.testing;

import io.rlimitinjector.certs.CertificateAuthority;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * An HTTP server of the tests' own on a loopback address, playing a hostile registry, token server or internal
 * service: it counts every connection it accepts, tells TLS from plain HTTP on the same port (so a redirect from
 * https to http on the same host can be caught), records each request's head, and answers as its handler says. One
 * request per connection. The TLS certificate, from its own CA, names {@code localhost} and {@code 127.0.0.1}.
 */
public final class HostileServer implements AutoCloseable {
    /** A request as it arrived; header names in lower case. */
    public record Request(boolean tls, String path, Map<String, String> headers) {
    }

    /** What to answer: a status, headers and a body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public static Response of(int status, String... headerPairs) {
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 0; i + 1 < headerPairs.length; i += 2) {
                headers.put(headerPairs[i], headerPairs[i + 1]);
            }
            return new Response(status, headers, new byte[0]);
        }

        public static Response json(byte[] body) {
            return new Response(200, Map.of("Content-Type", "application/json"), body);
        }
    }

    private final ServerSocket socket;
    private final CertificateAuthority ca;
    private final SSLSocketFactory tls;
    private final Function<Request, Response> handler;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private HostileServer(ServerSocket socket, CertificateAuthority ca, SSLSocketFactory tls,
            Function<Request, Response> handler) {
        this.socket = socket;
        this.ca = ca;
        this.tls = tls;
        this.handler = handler;
    }

    /** @param address a loopback address, such as {@code 127.1.2.3} or {@code ::1}; never anything else */
    public static HostileServer start(String address, Function<Request, Response> handler) throws Exception {
        InetAddress bind = InetAddress.getByName(address);
        if (!bind.isLoopbackAddress()) {
            throw new IllegalArgumentException("tests listen on loopback only, not " + address);
        }
        CertificateAuthority ca = CertificateAuthority.create("hostile-ca", Duration.ofHours(2));
        SSLSocketFactory tls = TestTls.serving(TestTls.localPair(ca)).getSocketFactory();
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(bind, 0), 50);
        HostileServer server = new HostileServer(socket, ca, tls, handler);
        Thread acceptor = new Thread(server::accept, "hostile-server");
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }

    /** A server that answers 404 to everything: an internal service that must never be reached. */
    public static HostileServer bystander(String address) throws Exception {
        return start(address, request -> Response.of(404));
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** The CA whose certificate a client must trust for this server's TLS. */
    public CertificateAuthority ca() {
        return ca;
    }

    /** Connections accepted so far, whether or not a request came on them. */
    public int connections() {
        return connections.get();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                connections.incrementAndGet();
                Thread serving = new Thread(() -> serve(connection), "hostile-connection");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            connection.setSoTimeout(10_000);
            PushbackInputStream sniffed = new PushbackInputStream(connection.getInputStream(), 1);
            int first = sniffed.read();
            if (first < 0) {
                return;
            }
            sniffed.unread(first);
            // 0x16 opens a TLS handshake record; an HTTP request starts with a method's letter.
            boolean isTls = first == 0x16;
            Socket stream = connection;
            InputStream in = sniffed;
            if (isTls) {
                SSLSocket secured = (SSLSocket) tls.createSocket(connection, sniffed, true);
                secured.setUseClientMode(false);
                secured.startHandshake();
                stream = secured;
                in = secured.getInputStream();
            }
            Request request = read(isTls, in);
            if (request == null) {
                return;
            }
            requests.add(request);
            write(stream.getOutputStream(), handler.apply(request));
        } catch (IOException e) {
            // A client that gave up or refused the certificate: the connection still counted.
        }
    }

    private static Request read(boolean isTls, InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        return new Request(isTls, requestLine.length > 1 ? requestLine[1] : "", headers);
    }

    private static void write(OutputStream out, Response response) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(response.status()).append(" X\r\n");
        response.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Length: ").append(response.body().length).append("\r\nConnection: close\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(response.body());
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
