package io.rlimitinjector.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * The server's check of a client's certificate, made during the TLS handshake, so a client that fails it never
 * sends a request: a chain to one of the client CAs (PKIX, which also requires the TLS client purpose when the
 * certificate names its purposes), then, when names are configured, a subject CN or DNS name among them. The CAs are
 * swapped whole when their file changes. One more certificate passes while it is set: the webhook's own warm-up
 * client's, compared by equality; its key never leaves the process.
 */
final class ClientTrust extends X509ExtendedTrustManager {
    private record Anchors(X509ExtendedTrustManager pkix, X509Certificate[] issuers) {
    }

    private final Set<String> names;
    private volatile Anchors anchors;
    private volatile X509Certificate warmUp;

    ClientTrust(List<X509Certificate> authorities, Set<String> names) throws GeneralSecurityException {
        this.names = names.stream().map(name -> name.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        trust(authorities);
    }

    /** From now on, clients signed by these CAs; an empty list is refused, as it would lock every caller out. */
    void trust(List<X509Certificate> authorities) throws GeneralSecurityException {
        if (authorities.isEmpty()) {
            throw new GeneralSecurityException("no CA certificate in the client CA file");
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        for (int i = 0; i < authorities.size(); i++) {
            store.setCertificateEntry("client-ca-" + i, authorities.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager pkix) {
                anchors = new Anchors(pkix, authorities.toArray(new X509Certificate[0]));
                return;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager for PKIX");
    }

    /** Lets exactly this certificate through as well, until {@link #endWarmUp()}. */
    void admitWarmUp(X509Certificate certificate) {
        warmUp = certificate;
    }

    void endWarmUp() {
        warmUp = null;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, pkix -> pkix.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, pkix -> pkix.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, pkix -> pkix.checkClientTrusted(chain, authType));
    }

    /**
     * The CAs named in the handshake's certificate request, so a client with several certificates picks right. None
     * during the warm-up: a JDK client presents no certificate whose issuer is not named, and the warm-up's is not.
     */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return warmUp != null ? new X509Certificate[0] : anchors.issuers().clone();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the webhook trusts no server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    /** One of the PKIX trust manager's checks, as the TLS stack asked for it. */
    private interface PkixCheck {
        void check(X509ExtendedTrustManager pkix) throws CertificateException;
    }

    private void check(X509Certificate[] chain, PkixCheck pkixCheck) throws CertificateException {
        if (isWarmUp(chain)) {
            return;
        }
        pkixCheck.check(anchors.pkix());
        requireName(chain[0]);
    }

    private boolean isWarmUp(X509Certificate[] chain) {
        X509Certificate admitted = warmUp;
        return admitted != null && chain != null && chain.length > 0 && chain[0].equals(admitted);
    }

    private void requireName(X509Certificate certificate) throws CertificateException {
        if (names.isEmpty()) {
            return;
        }
        List<String> presented = names(certificate);
        if (presented.stream().noneMatch(names::contains)) {
            throw new CertificateException("client certificate for " + presented + " is not one of the allowed names");
        }
    }

    /** The subject's CNs and the DNS names, lower case. */
    static List<String> names(X509Certificate certificate) throws CertificateParsingException {
        List<String> names = new ArrayList<>();
        for (RDN rdn : X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN)) {
            names.add(IETFUtils.valueToString(rdn.getFirst().getValue()).toLowerCase(Locale.ROOT));
        }
        Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
        if (alternatives != null) {
            for (List<?> alternative : alternatives) {
                // 2 is dNSName in RFC 5280's GeneralName.
                if (Integer.valueOf(2).equals(alternative.get(0))) {
                    names.add(String.valueOf(alternative.get(1)).toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }
}
