package dev.lamina.cli;

import dev.lamina.layerfs.registry.AuthFiles;
import dev.lamina.layerfs.registry.Credentials;
import dev.lamina.layerfs.registry.RegistryClient;
import dev.lamina.layerfs.registry.RegistryOptions;
import dev.lamina.layerfs.registry.RegistryReference;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina login REGISTRY}: checks credentials with the registry and stores them in the auth
 * file podman and skopeo read.
 */
@Command(name = "login", description = "Log in to a registry (credentials go to the auth file).")
final class LoginCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "REGISTRY", description = "HOST[:PORT] of the registry.")
  String registry;

  @Option(names = {"-u", "--username"}, paramLabel = "USER", description = "User name.")
  String username;

  @Option(
      names = {"-p", "--password"},
      paramLabel = "PASSWORD",
      description = "Password (visible to other users of this machine; prefer --password-stdin).")
  String password;

  @Option(names = "--password-stdin", description = "Read the password from stdin.")
  boolean passwordStdin;

  @Option(
      names = "--authfile",
      paramLabel = "FILE",
      description = "Auth file to write (default: ${sys:lamina.authfile}).")
  java.nio.file.Path authFile;

  @Option(
      names = "--tls-verify",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "true",
      paramLabel = "BOOL",
      description = "Verify TLS certificates (default true).")
  boolean tlsVerify = true;

  @Override
  public Integer call() throws Exception {
    String host = host(registry);
    Console console = System.console();
    if (username == null) {
      if (console == null) {
        throw new UserException("give a user name with -u", ExitCodes.USAGE);
      }
      username = console.readLine("Username: ");
    }
    if (passwordStdin) {
      if (password != null) {
        throw new UserException("give -p or --password-stdin, not both", ExitCodes.USAGE);
      }
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line = in.readLine();
      password = line == null ? "" : line.strip();
    } else if (password == null) {
      if (console == null) {
        throw new UserException("give a password with -p or --password-stdin", ExitCodes.USAGE);
      }
      password = new String(console.readPassword("Password: "));
    }
    Credentials creds = new Credentials(username, password);
    RegistryOptions o =
        RegistryOptions.builder().authFile(authFile).tlsVerify(tlsVerify).credentials(creds)
            .build();
    RegistryReference ref = RegistryReference.parse(host + "/x");
    try (RegistryClient client = RegistryClient.connect(ref.registry(), ref.endpoint(), o)) {
      client.checkLogin();
    }
    AuthFiles files = AuthFiles.of(authFile);
    files.store(ref.registry(), creds);
    Output.out().println("Login Succeeded!");
    return ExitCodes.OK;
  }

  /** The registry's host[:port] from what users type: {@code docker://h/x}, {@code https://h}. */
  static String host(String text) {
    String h = text;
    for (String prefix : new String[] {"docker://", "https://", "http://"}) {
      if (h.startsWith(prefix)) {
        h = h.substring(prefix.length());
      }
    }
    int slash = h.indexOf('/');
    h = slash < 0 ? h : h.substring(0, slash);
    if (h.isEmpty()) {
      throw new UserException("no registry given", ExitCodes.USAGE);
    }
    return h.equals("index.docker.io") || h.equals("registry-1.docker.io")
        ? RegistryReference.DOCKER_HUB : h;
  }
}
