package dev.lamina.layerfs.registry;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS on a connected socket, to a registry or an https proxy alike (one setting for both, as in
 * Go's transport): with verification, the JDK's default trust store and host name check (and
 * SNI); without, any certificate for any name ({@code --tls-verify=false}). A registry's
 * certs.d directory ({@link CertsDirs}) adds authorities trusted besides the system's, and a
 * client certificate. The TLS context is set up on first use only.
 */
final class TlsLayer {
  private final boolean verify;
  private final CertsDirs.Material material;
  private SSLContext context;

  TlsLayer(boolean verify) {
    this(verify, CertsDirs.Material.NONE);
  }

  TlsLayer(boolean verify, CertsDirs.Material material) {
    this.verify = verify;
    this.material = material;
  }

  /**
   * Runs a TLS handshake with {@code host:port} over {@code plain}, which may itself be a TLS
   * socket (to an https proxy); closing the result closes {@code plain}.
   */
  SSLSocket over(Socket plain, String host, int port) throws IOException {
    SSLSocket s = (SSLSocket) context().getSocketFactory().createSocket(plain, host, port, true);
    SSLParameters p = s.getSSLParameters();
    if (verify) {
      p.setEndpointIdentificationAlgorithm("HTTPS");
    }
    if (!host.contains(":") && !host.matches("[0-9.]+")) { // SNI names hosts, not addresses
      p.setServerNames(List.of(new SNIHostName(host)));
    }
    s.setSSLParameters(p);
    // A plain-HTTP server may sit silent on a TLS hello: do not wait for it for long.
    s.setSoTimeout(10_000);
    s.startHandshake();
    return s;
  }

  private synchronized SSLContext context() throws IOException {
    if (context == null) {
      try {
        if (material.isEmpty()) {
          context = verify ? SSLContext.getDefault() : trustingEveryone(null);
        } else {
          context = withMaterial();
        }
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot set up TLS: " + e.getMessage(), e);
      }
    }
    return context;
  }

  /**
   * An SSL context that accepts any certificate for any host ({@code --tls-verify=false}). An
   * {@link X509ExtendedTrustManager} is used so the JDK adds no hostname check of its own.
   */
  private SSLContext withMaterial() throws GeneralSecurityException, IOException {
    KeyManager[] keys = null;
    if (material.key() != null) {
      char[] password = new char[0];
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(CertsDirs.keyStore(material, password), password);
      keys = kmf.getKeyManagers();
    }
    if (!verify) {
      return trustingEveryone(keys);
    }
    TrustManager[] trust = null;
    if (!material.authorities().isEmpty()) {
      trust = new TrustManager[] {new EitherTrust(trustManager(null),
          trustManager(CertsDirs.trustStore(material)))};
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keys, trust, new SecureRandom());
    return ctx;
  }

  private static X509ExtendedTrustManager trustManager(KeyStore ks)
      throws GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    for (TrustManager t : tmf.getTrustManagers()) {
      if (t instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("no X.509 trust manager");
  }

  /**
   * Trusts what the system trusts or what the registry's authorities sign. Each check goes to
   * the delegates' socket and engine forms, which also check the host name.
   */
  private static final class EitherTrust extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager system;
    private final X509ExtendedTrustManager extra;

    EitherTrust(X509ExtendedTrustManager system, X509ExtendedTrustManager extra) {
      this.system = system;
      this.extra = extra;
    }

    private interface Check {
      void run(X509ExtendedTrustManager m) throws CertificateException;
    }

    private void either(Check c) throws CertificateException {
      try {
        c.run(system);
      } catch (CertificateException e) {
        c.run(extra);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String auth, Socket s)
        throws CertificateException {
      either(m -> m.checkServerTrusted(chain, auth, s));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String auth, SSLEngine e)
        throws CertificateException {
      either(m -> m.checkServerTrusted(chain, auth, e));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String auth)
        throws CertificateException {
      either(m -> m.checkServerTrusted(chain, auth));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String auth, Socket s)
        throws CertificateException {
      throw new CertificateException("no client is trusted here");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String auth, SSLEngine e)
        throws CertificateException {
      throw new CertificateException("no client is trusted here");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String auth)
        throws CertificateException {
      throw new CertificateException("no client is trusted here");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      List<X509Certificate> all = new ArrayList<>(List.of(system.getAcceptedIssuers()));
      all.addAll(List.of(extra.getAcceptedIssuers()));
      return all.toArray(X509Certificate[]::new);
    }
  }

  private static SSLContext trustingEveryone(KeyManager[] keys) throws GeneralSecurityException {
    TrustManager all =
        new X509ExtendedTrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] c, String a, Socket s) {}

          @Override
          public void checkServerTrusted(X509Certificate[] c, String a, Socket s) {}

          @Override
          public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) {}

          @Override
          public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) {}

          @Override
          public void checkClientTrusted(X509Certificate[] c, String a) {}

          @Override
          public void checkServerTrusted(X509Certificate[] c, String a) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keys, new TrustManager[] {all}, new SecureRandom());
    return ctx;
  }
}
