package dev.lamina.layerfs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lamina.layerfs.io.RandomIds;
import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.store.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Registry credentials in the files podman, skopeo and docker share: {@code {"auths": {"HOST":
 * {"auth": base64("user:password")}}}}. Lookup order (as containers/image): the file given with
 * {@code --authfile} alone, else the one {@code REGISTRY_AUTH_FILE} names alone; else {@code
 * ${XDG_RUNTIME_DIR}/containers/auth.json} (or {@code /run/containers/UID/auth.json}), {@code
 * ~/.config/containers/auth.json}, {@code ~/.docker/config.json}. In each file, a {@code
 * credHelpers} entry for the registry runs that helper ({@link CredentialHelper}), then an {@code
 * auths} entry is used, then the {@code credsStore} helper is asked. Files are written atomically
 * with mode 0600.
 */
public final class AuthFiles {
  /** The variable naming the auth file to use when {@code --authfile} is not given. */
  public static final String AUTH_FILE_VARIABLE = "REGISTRY_AUTH_FILE";

  private final List<Path> searched;
  private final Path writable;
  private final String path;

  private AuthFiles(List<Path> searched, Path writable, String path) {
    this.searched = List.copyOf(searched);
    this.writable = writable;
    this.path = path;
  }

  /** The default files for this user, or only {@code authFile} when it is not null. */
  public static AuthFiles of(Path authFile) {
    return of(authFile, System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /** {@link #of(Path)} with the environment and home directory made explicit (for tests). */
  public static AuthFiles of(Path authFile, Map<String, String> env, Path home) {
    if (authFile == null && env.get(AUTH_FILE_VARIABLE) != null
        && !env.get(AUTH_FILE_VARIABLE).isEmpty()) {
      authFile = Path.of(env.get(AUTH_FILE_VARIABLE));
    }
    if (authFile != null) {
      return new AuthFiles(List.of(authFile), authFile, env.get("PATH"));
    }
    String runtime = env.get("XDG_RUNTIME_DIR");
    Path primary =
        runtime != null && !runtime.isEmpty()
            ? Path.of(runtime, "containers", "auth.json")
            : Path.of("/run/containers", Integer.toString(Posix.geteuid()), "auth.json");
    List<Path> all = new ArrayList<>();
    all.add(primary);
    String config = env.get("XDG_CONFIG_HOME");
    all.add(
        (config != null && !config.isEmpty() ? Path.of(config) : home.resolve(".config"))
            .resolve("containers/auth.json"));
    String dockerConfig = env.get("DOCKER_CONFIG");
    all.add(
        dockerConfig != null && !dockerConfig.isEmpty()
            ? Path.of(dockerConfig, "config.json")
            : home.resolve(".docker/config.json"));
    return new AuthFiles(all, primary, env.get("PATH"));
  }

  /** The file {@code login} writes and {@code logout} edits. */
  public Path writable() {
    return writable;
  }

  /**
   * The credentials stored for {@code registry} (host[:port]), from the first file that has them.
   * Docker Hub is also found under its legacy key {@code https://index.docker.io/v1/}.
   *
   * @throws IOException if a file exists but cannot be read or parsed
   */
  public Optional<Credentials> find(String registry) throws IOException {
    // Read with the streaming parser: every push and pull looks here, login alone writes.
    for (Path file : searched) {
      JsonObject root = parse(file);
      if (root == null) {
        continue;
      }
      Optional<Credentials> helped = fromHelper(root, "credHelpers", registry, file);
      if (helped.isPresent()) {
        return helped;
      }
      Optional<Credentials> stored = fromAuths(root, registry, file);
      if (stored.isPresent()) {
        return stored;
      }
      helped = fromHelper(root, "credsStore", registry, file);
      if (helped.isPresent()) {
        return helped;
      }
    }
    return Optional.empty();
  }

  /** The helper {@code credHelpers[registry]} or {@code credsStore} names, asked. */
  private Optional<Credentials> fromHelper(
      JsonObject root, String key, String registry, Path file) throws IOException {
    String helper = null;
    if (key.equals("credsStore")) {
      helper = root.isObject(key) ? null : root.string(key);
    } else if (root.isObject(key)) {
      JsonObject helpers = root.object(key);
      for (String k : helpers.names()) {
        if (keyMatches(k, registry) && !helpers.isObject(k)) {
          helper = helpers.string(k);
          break;
        }
      }
    }
    if (helper == null || helper.isEmpty()) {
      return Optional.empty();
    }
    try {
      return new CredentialHelper(helper, path).get(registry);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  private static Optional<Credentials> fromAuths(JsonObject root, String registry, Path file)
      throws IOException {
    if (!root.isObject("auths")) {
      return Optional.empty();
    }
    JsonObject auths = root.object("auths");
    for (String key : auths.names()) {
      if (!keyMatches(key, registry) || !auths.isObject(key)) {
        continue;
      }
      String auth = auths.object(key).string("auth");
      if (auth == null || auth.isEmpty()) {
        continue;
      }
      try {
        return Optional.of(Credentials.fromBasic(auth));
      } catch (IllegalArgumentException ex) {
        throw new IOException(file + ": bad auth entry for " + key, ex);
      }
    }
    return Optional.empty();
  }

  /**
   * Stores {@code credentials} for {@code registry} in {@link #writable()}, keeping its other
   * entries.
   *
   * @throws IOException if the file cannot be read or written
   */
  public void store(String registry, Credentials credentials) throws IOException {
    ObjectNode root = read(writable);
    ObjectNode auths =
        root.path("auths").isObject() ? (ObjectNode) root.get("auths") : root.putObject("auths");
    auths.putObject(registry).put("auth", credentials.basic());
    write(root);
  }

  /**
   * Removes the entry for {@code registry} (or every entry when it is null) from {@link
   * #writable()}.
   *
   * @return whether anything was removed
   * @throws IOException if the file cannot be read or written
   */
  public boolean remove(String registry) throws IOException {
    ObjectNode root = read(writable);
    if (!root.path("auths").isObject()) {
      return false;
    }
    ObjectNode auths = (ObjectNode) root.get("auths");
    boolean removed;
    if (registry == null) {
      removed = auths.size() > 0;
      auths.removeAll();
    } else {
      List<String> keys = new ArrayList<>();
      auths.fieldNames().forEachRemaining(k -> {
        if (keyMatches(k, registry)) {
          keys.add(k);
        }
      });
      keys.forEach(auths::remove);
      removed = !keys.isEmpty();
    }
    if (removed) {
      write(root);
    }
    return removed;
  }

  private void write(ObjectNode root) throws IOException {
    Path target = writable.toAbsolutePath();
    Files.createDirectories(target.getParent());
    // Private before it holds anything: the temp file is created 0600, then renamed over.
    Path temp = target.resolveSibling("." + target.getFileName() + ".tmp-" + RandomIds.hex64().substring(0, 32));
    try {
      try (FileChannel ch =
          FileChannel.open(
              temp,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        ch.write(ByteBuffer.wrap(Json.toPrettyString(root).getBytes(StandardCharsets.UTF_8)));
        ch.force(true);
      }
      AtomicFiles.moveAtomically(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** The file's JSON object, or null when it is missing or empty. */
  private static JsonObject parse(Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      bytes = Json.readCapped(in);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (bytes.length == 0) {
      return null;
    }
    try {
      return JsonObject.parse(bytes);
    } catch (JsonFormatException e) {
      throw new IOException(file + " is not a JSON object", e);
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  private static ObjectNode read(Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      bytes = Json.readCapped(in);
    } catch (NoSuchFileException e) {
      return Json.mapper().createObjectNode();
    }
    if (bytes.length == 0) {
      return Json.mapper().createObjectNode();
    }
    JsonNode tree;
    try {
      tree = Json.readTree(bytes);
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    if (!tree.isObject()) {
      throw new IOException(file + " is not a JSON object");
    }
    return (ObjectNode) tree;
  }

  /** Keys may be {@code host}, {@code host/path} or a URL such as {@code https://host/v1/}. */
  static boolean keyMatches(String key, String registry) {
    String k = key;
    int scheme = k.indexOf("://");
    if (scheme >= 0) {
      k = k.substring(scheme + 3);
    }
    int slash = k.indexOf('/');
    if (slash >= 0) {
      k = k.substring(0, slash);
    }
    if (k.equals(registry)) {
      return true;
    }
    boolean hub = registry.equals(RegistryReference.DOCKER_HUB);
    return hub && (k.equals("index.docker.io") || k.equals("registry-1.docker.io"));
  }
}
