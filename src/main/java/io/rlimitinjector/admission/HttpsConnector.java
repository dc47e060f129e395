package io.rlimitinjector.admission;

import io.rlimitinjector.tls.ReloadingTlsContext;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;

/** The one listener a webhook server has: HTTP/1.1 over TLS, with the reloading certificate. */
final class HttpsConnector {
    private HttpsConnector() {
    }

    static ServerConnector create(Server server, ReloadingTlsContext tls, ServerSettings settings) {
        HttpConfiguration http = new HttpConfiguration();
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // Clients reach the webhook by service DNS name, by IP in tests: the certificate, not SNI, is what they check.
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server,
                new SslConnectionFactory(tls.factory(), "http/1.1"), new HttpConnectionFactory(http));
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setIdleTimeout(ServerSettings.IDLE_TIMEOUT.toMillis());
        return connector;
    }
}
