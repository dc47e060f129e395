package io.rlimitinjector.admission;

import io.rlimitinjector.tls.ReloadingTlsContext;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;

/**
 * The admission listener: TLS with the reloading certificate (and, when configured, the client certificate check),
 * then HTTP/2 or HTTP/1.1 as the client chooses by ALPN. The API server speaks HTTP/2 when offered, and then carries its parallel calls on one connection
 * instead of a TLS connection each.
 */
public final class HttpsConnector {
    /**
     * Streams one HTTP/2 connection may have open at once: each holds a Jetty thread while its body arrives, so a
     * few connections' worth stay well under {@link ServerSettings#MAX_THREADS}.
     */
    static final int MAX_CONCURRENT_STREAMS = 16;
    private static final String ALPN_HTTP_1_1 = "http/1.1";

    private HttpsConnector() {
    }

    public static ServerConnector create(Server server, HttpConfiguration http, ReloadingTlsContext tls,
            ServerSettings settings) {
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // Clients reach the webhook by service DNS name, by IP in tests: the certificate, not SNI, is what they check.
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        http.setSendServerVersion(false);
        HttpConnectionFactory http1 = new HttpConnectionFactory(http);
        HTTP2ServerConnectionFactory http2 = new HTTP2ServerConnectionFactory(http);
        http2.setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS);
        http2.setStreamIdleTimeout(ServerSettings.IDLE_TIMEOUT.toMillis());
        // ALPN names HTTP/1.1 in lower case: offered "HTTP/1.1", Jetty answered a client asking for "http/1.1" alone
        // (the API server calling a webhook by service name does) with a name it never offered, and the handshake failed.
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(http2.getProtocol(), ALPN_HTTP_1_1);
        // A client that offers no ALPN, such as wrk or Python's http.client, gets HTTP/1.1.
        alpn.setDefaultProtocol(ALPN_HTTP_1_1);
        ServerConnector connector = new ServerConnector(server,
                new SslConnectionFactory(tls.factory(), alpn.getProtocol()), alpn, http2, http1);
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setIdleTimeout(ServerSettings.IDLE_TIMEOUT.toMillis());
        return connector;
    }

    /**
     * HTTP/2's {@code Connection: close}: a graceful GOAWAY, after which the client finishes the streams it opened
     * and sends the rest on a new connection. An HTTP/1.1 connection is left alone: its answer's header does that.
     */
    static void goAway(Connection connection) {
        if (connection instanceof HTTP2Connection http2) {
            http2.getSession().shutdown();
        }
    }
}
