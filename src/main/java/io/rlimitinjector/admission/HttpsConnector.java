package io.rlimitinjector.admission;

import io.rlimitinjector.tls.ReloadingTlsContext;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;

/** The one listener a webhook server has: HTTP/1.1 over TLS, with the reloading certificate. */
public final class HttpsConnector {
    private HttpsConnector() {
    }

    public static ServerConnector create(Server server, HttpConfiguration http, ReloadingTlsContext tls,
            ServerSettings settings) {
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // Clients reach the webhook by service DNS name, by IP in tests: the certificate, not SNI, is what they check.
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        http.setSendServerVersion(false);
        // A client trickling its body (slow-loris) is cut off instead of holding one of the few threads.
        http.setMinRequestDataRate(ServerSettings.MIN_REQUEST_BYTES_PER_SECOND);
        ServerConnector connector = new ServerConnector(server,
                new SslConnectionFactory(tls.factory(), "http/1.1"), new HttpConnectionFactory(http));
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setIdleTimeout(ServerSettings.IDLE_TIMEOUT.toMillis());
        return connector;
    }
}
