package dev.lamina.cli;

import dev.lamina.layerfs.registry.Credentials;
import dev.lamina.layerfs.registry.RegistryOptions;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The registry options push, pull and login share: credentials and TLS. */
@Command
final class RegistryFlags {
  @Option(
      names = "--creds",
      paramLabel = "USER[:PASSWORD]",
      description = "Credentials for the registry (instead of those stored by login).")
  String creds;

  @Option(
      names = "--authfile",
      paramLabel = "FILE",
      description = "Credentials file (default: ${sys:lamina.authfile}, then"
          + " ~/.config/containers/auth.json and ~/.docker/config.json; REGISTRY_AUTH_FILE"
          + " names another). Their credHelpers and credsStore run docker-credential-NAME.")
  Path authFile;

  @Option(
      names = "--tls-verify",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "true",
      paramLabel = "BOOL",
      description = "Verify TLS certificates (default true); false also allows plain HTTP."
          + " Plain HTTP is always allowed to localhost and 127.0.0.1.")
  boolean tlsVerify = true;

  @Option(
      names = "--cert-dir",
      paramLabel = "DIR",
      description = "Look for a registry's certificates in DIR/HOST[:PORT] (*.crt authorities,"
          + " NAME.cert with NAME.key for a client certificate) instead of"
          + " ~/.config/containers/certs.d, /etc/containers/certs.d and /etc/docker/certs.d.")
  Path certDir;

  /** A builder with these flags applied. */
  RegistryOptions.Builder builder() {
    RegistryOptions.Builder b = RegistryOptions.builder().authFile(authFile).tlsVerify(tlsVerify)
        .certDir(certDir);
    if (creds != null) {
      try {
        b.credentials(Credentials.parse(creds));
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage(), ExitCodes.USAGE);
      }
    }
    return b;
  }
}
