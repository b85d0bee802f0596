package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.oci.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A docker credential helper: the program {@code docker-credential-NAME} on {@code PATH}, asked
 * {@code get} with the server on stdin, answering {@code {"ServerURL", "Username", "Secret"}}
 * (docker-credential-helpers' protocol). It exits non-zero when it has nothing for the server.
 */
final class CredentialHelper {
  private static final long WAIT_SECONDS = 60;

  private final String name;
  private final String path;

  /**
   * @param name the helper's name, e.g. {@code pass} for {@code docker-credential-pass}
   * @param path the {@code PATH} to find it on
   */
  CredentialHelper(String name, String path) {
    if (name.isEmpty() || !name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("bad credential helper name " + name);
    }
    this.name = name;
    this.path = path == null ? "" : path;
  }

  private Path find() throws IOException {
    for (String dir : path.split(":")) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, program());
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new IOException("credential helper " + program() + " is not on PATH");
  }

  /** The program run: {@code docker-credential-NAME}. */
  String program() {
    return "docker-credential-" + name;
  }

  /**
   * What the helper has for {@code registry}; empty when it has nothing.
   *
   * @throws IOException if the helper cannot be run or answers nonsense
   */
  Optional<Credentials> get(String registry) throws IOException {
    // Docker Hub's credentials are kept under its v1 URL by docker login.
    String server =
        registry.equals(RegistryReference.DOCKER_HUB) ? "https://index.docker.io/v1/" : registry;
    Process p = new ProcessBuilder(find().toString(), "get")
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    byte[] out;
    try (OutputStream in = p.getOutputStream()) {
      in.write(server.getBytes(StandardCharsets.UTF_8));
    } catch (IOException closedEarly) {
      // a helper that does not read its input answers anyway
    }
    try (InputStream o = p.getInputStream()) {
      out = Json.readCapped(o);
    }
    try {
      if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(program() + " did not answer within " + WAIT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for " + program(), e);
    }
    if (p.exitValue() != 0) {
      return Optional.empty(); // "credentials not found in native keychain"
    }
    try {
      JsonObject answer = JsonObject.parse(out);
      String user = answer.string("Username");
      String secret = answer.string("Secret");
      if (user == null || secret == null || user.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Credentials(user, secret));
    } catch (JsonFormatException e) {
      throw new IOException(program() + " answered something else than JSON credentials", e);
    }
  }
}
