package dev.lamina.layerfs.registry;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS on a connected socket, to a registry or an https proxy alike (one setting for both, as in
 * Go's transport): with verification, the JDK's default trust store and host name check (and
 * SNI); without, any certificate for any name ({@code --tls-verify=false}). The TLS context is
 * set up on first use only.
 */
final class TlsLayer {
  private final boolean verify;
  private SSLContext context;

  TlsLayer(boolean verify) {
    this.verify = verify;
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
        context = verify ? SSLContext.getDefault() : trustingEveryone();
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
  private static SSLContext trustingEveryone() throws GeneralSecurityException {
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
    ctx.init(null, new TrustManager[] {all}, new SecureRandom());
    return ctx;
  }
}
