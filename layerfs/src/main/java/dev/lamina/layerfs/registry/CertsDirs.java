package dev.lamina.layerfs.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * TLS material per registry, where docker and podman keep it: a {@code HOST[:PORT]} directory
 * under {@code ~/.config/containers/certs.d}, {@code /etc/containers/certs.d} or {@code
 * /etc/docker/certs.d} (the first that exists), or under the one directory {@code --cert-dir}
 * gives. In it, {@code *.crt} files are certificate authorities trusted for that registry besides
 * the system's, and a {@code NAME.cert} with its {@code NAME.key} (PEM, PKCS#8 or PKCS#1 RSA) is
 * the client certificate to present.
 */
final class CertsDirs {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private CertsDirs() {}

  /** What a registry's directory holds. */
  record Material(List<X509Certificate> authorities, PrivateKey key, List<X509Certificate> chain,
      Path dir) {
    static final Material NONE = new Material(List.of(), null, List.of(), null);

    boolean isEmpty() {
      return authorities.isEmpty() && key == null;
    }
  }

  /** The directories looked in for {@code registry}, in order ({@code certDir} alone if given). */
  static List<Path> candidates(Path certDir, String registry, Path home) {
    String name = registry.replace('/', '_');
    if (certDir != null) {
      return List.of(certDir.resolve(name));
    }
    return List.of(
        home.resolve(".config/containers/certs.d").resolve(name),
        Path.of("/etc/containers/certs.d").resolve(name),
        Path.of("/etc/docker/certs.d").resolve(name));
  }

  /**
   * The material for {@code registry} ({@code host[:port]}), from the first directory that exists.
   *
   * @throws IOException if a file there cannot be read or parsed, or a client certificate lacks
   *     its key
   */
  static Material forRegistry(Path certDir, String registry) throws IOException {
    for (Path dir : candidates(certDir, registry, Path.of(System.getProperty("user.home")))) {
      if (Files.isDirectory(dir)) {
        return read(dir);
      }
    }
    return Material.NONE;
  }

  static Material read(Path dir) throws IOException {
    List<X509Certificate> cas = new ArrayList<>();
    PrivateKey key = null;
    List<X509Certificate> chain = List.of();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.sorted().toList();
    }
    for (Path f : files) {
      String n = f.getFileName().toString();
      if (n.endsWith(".crt")) {
        cas.addAll(certificates(f));
      } else if (n.endsWith(".cert")) {
        Path keyFile = f.resolveSibling(n.substring(0, n.length() - 5) + ".key");
        if (!Files.exists(keyFile)) {
          throw new IOException("client certificate " + f + " has no key " + keyFile);
        }
        if (key != null) {
          throw new IOException(dir + " has more than one client certificate");
        }
        chain = certificates(f);
        key = privateKey(keyFile);
      } else if (n.endsWith(".key")) {
        Path cert = f.resolveSibling(n.substring(0, n.length() - 4) + ".cert");
        if (!Files.exists(cert)) {
          throw new IOException("client key " + f + " has no certificate " + cert);
        }
      }
    }
    return new Material(List.copyOf(cas), key, List.copyOf(chain), dir);
  }

  private static List<X509Certificate> certificates(Path f) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IOException(f + " holds no certificate");
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IOException(f + ": not a certificate: " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path f) throws IOException {
    Matcher m = PEM.matcher(Files.readString(f, StandardCharsets.US_ASCII));
    if (!m.find()) {
      throw new IOException(f + ": not a PEM private key");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(2));
    byte[] pkcs8 =
        switch (m.group(1)) {
          case "PRIVATE KEY" -> der;
          case "RSA PRIVATE KEY" -> rsaPkcs1ToPkcs8(der);
          default -> throw new IOException(f + ": " + m.group(1)
              + " is not supported; convert it with openssl pkcs8 -topk8 -nocrypt");
        };
    for (String alg : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (GeneralSecurityException tryNext) {
        // the key is of another algorithm
      }
    }
    throw new IOException(f + ": unreadable private key");
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption). */
  private static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
        0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octets = der(0x04, pkcs1);
    byte[] body = new byte[version.length + algorithm.length + octets.length];
    System.arraycopy(version, 0, body, 0, version.length);
    System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
    System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
    return der(0x30, body);
  }

  private static byte[] der(int tag, byte[] content) {
    int n = content.length;
    byte[] len;
    if (n < 0x80) {
      len = new byte[] {(byte) n};
    } else if (n < 0x100) {
      len = new byte[] {(byte) 0x81, (byte) n};
    } else if (n < 0x10000) {
      len = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
    } else {
      len = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }
    byte[] out = new byte[1 + len.length + n];
    out[0] = (byte) tag;
    System.arraycopy(len, 0, out, 1, len.length);
    System.arraycopy(content, 0, out, 1 + len.length, n);
    return out;
  }

  /** A key store holding the client key and chain, for a KeyManagerFactory. */
  static KeyStore keyStore(Material m, char[] password) throws GeneralSecurityException,
      IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("client", m.key(), password, m.chain().toArray(Certificate[]::new));
    return ks;
  }

  /** A key store of the authorities, for a TrustManagerFactory. */
  static KeyStore trustStore(Material m) throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    for (X509Certificate c : m.authorities()) {
      ks.setCertificateEntry("ca" + i++, c);
    }
    return ks;
  }
}
