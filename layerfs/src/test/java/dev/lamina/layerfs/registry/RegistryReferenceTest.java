package dev.lamina.layerfs.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RegistryReferenceTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @CsvSource({
    "busybox, docker.io, library/busybox, latest, registry-1.docker.io",
    "user/app:1, docker.io, user/app, 1, registry-1.docker.io",
    "docker.io/alpine:3, docker.io, library/alpine, 3, registry-1.docker.io",
    "index.docker.io/alpine, docker.io, library/alpine, latest, registry-1.docker.io",
    "127.0.0.1:5000/a/b:v2, 127.0.0.1:5000, a/b, v2, 127.0.0.1:5000",
    "localhost/x, localhost, x, latest, localhost",
    "quay.io/org/img, quay.io, org/img, latest, quay.io",
  })
  void parse_fillsDefaults(String text, String registry, String repo, String tag,
      String endpoint) {
    RegistryReference r = RegistryReference.parse(text);
    assertEquals(registry, r.registry());
    assertEquals(repo, r.repository());
    assertEquals(tag, r.tag());
    assertEquals(endpoint, r.endpoint());
  }

  @Test
  void parse_digestOnly_hasNoTagAndNoStoreName() {
    RegistryReference r =
        RegistryReference.parse("h:1/a@sha256:" + "a".repeat(64));
    assertEquals(null, r.tag());
    assertEquals("sha256:" + "a".repeat(64), r.manifestReference());
    assertEquals(null, r.storeName());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "h:1/UPPER", "h:1/a:b:c", "h:1/a@sha256:short"})
  void parse_rejectsInvalid(String text) {
    assertThrows(IllegalArgumentException.class, () -> RegistryReference.parse(text));
  }

  @Test
  void challenge_parsesBearerAndBasic() {
    List<Challenge> cs = Challenge.parse(List.of(
        "Bearer realm=\"https://auth.io/token\",service=\"reg\",scope=\"repository:a:pull,push\"",
        "Basic realm=\"x\""));
    assertEquals(2, cs.size());
    assertEquals("bearer", cs.get(0).scheme());
    assertEquals("https://auth.io/token", cs.get(0).param("realm"));
    assertEquals("repository:a:pull,push", cs.get(0).param("scope"));
    assertEquals("basic", cs.get(1).scheme());
  }

  @Test
  void authFiles_storeFindRemove_privateFile() throws Exception {
    Path file = tmp.resolve("containers/auth.json");
    AuthFiles f = AuthFiles.of(file);
    f.store("127.0.0.1:5000", new Credentials("u", "p:w"));
    assertEquals(new Credentials("u", "p:w"), f.find("127.0.0.1:5000").orElseThrow());
    assertEquals("rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(f.remove("127.0.0.1:5000"));
    assertTrue(f.find("127.0.0.1:5000").isEmpty());
  }

  @Test
  void authFiles_fallBackToDockerConfig_withHubLegacyKey() throws Exception {
    Path home = tmp.resolve("home");
    Files.createDirectories(home.resolve(".docker"));
    Files.writeString(home.resolve(".docker/config.json"),
        "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\""
            + new Credentials("hub", "pw").basic() + "\"}}}");
    AuthFiles f = AuthFiles.of(null, Map.of("XDG_RUNTIME_DIR", tmp.resolve("run").toString()),
        home);
    assertEquals("hub", f.find("docker.io").orElseThrow().username());
    assertTrue(f.find("quay.io").isEmpty());
  }

  @Test
  void authFiles_registryAuthFileVariable_isTheDefault() throws Exception {
    Path file = tmp.resolve("elsewhere/auth.json");
    AuthFiles f = AuthFiles.of(null, Map.of(AuthFiles.AUTH_FILE_VARIABLE, file.toString(),
        "XDG_RUNTIME_DIR", tmp.resolve("run").toString()), tmp.resolve("home"));
    assertEquals(file, f.writable());
    f.store("r.io", new Credentials("u", "p"));
    assertEquals("u", AuthFiles.of(file).find("r.io").orElseThrow().username());
    Path given = tmp.resolve("given.json");
    assertEquals(given, AuthFiles.of(given, Map.of(AuthFiles.AUTH_FILE_VARIABLE,
        file.toString()), tmp.resolve("home")).writable(), "--authfile wins");
  }

  /** A docker-credential-NAME script that answers for one server and logs what it was asked. */
  private Path helper(String name, String server, String user, String secret) throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path script = bin.resolve("docker-credential-" + name);
    Files.writeString(script, "#!/bin/sh\n"
        + "[ \"$1\" = get ] || exit 2\n"
        + "read -r server\n"
        + "echo \"$server\" >> " + tmp.resolve(name + ".log") + "\n"
        + "if [ \"$server\" = '" + server + "' ]; then\n"
        + "  printf '{\"ServerURL\":\"%s\",\"Username\":\"" + user + "\",\"Secret\":\""
        + secret + "\"}' \"$server\"\n"
        + "else\n  echo 'credentials not found in native keychain'; exit 1\nfi\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  @Test
  void authFiles_credHelpers_thenAuths_thenCredsStore() throws Exception {
    Path bin = helper("perhost", "r.io", "helped", "s1");
    helper("store", "https://index.docker.io/v1/", "hub", "s2");
    Path config = tmp.resolve("config.json");
    Files.writeString(config, "{\"credHelpers\":{\"r.io\":\"perhost\"},"
        + "\"credsStore\":\"store\","
        + "\"auths\":{\"r.io\":{\"auth\":\"" + new Credentials("file", "x").basic() + "\"},"
        + "\"q.io\":{\"auth\":\"" + new Credentials("fromfile", "y").basic() + "\"}}}");
    AuthFiles f = AuthFiles.of(config, Map.of("PATH", "/nonexistent:" + bin), tmp);
    assertEquals(new Credentials("helped", "s1"), f.find("r.io").orElseThrow());
    assertEquals("fromfile", f.find("q.io").orElseThrow().username());
    assertEquals(new Credentials("hub", "s2"), f.find("docker.io").orElseThrow());
    assertTrue(f.find("none.io").isEmpty(), "the store has nothing for it");
    assertEquals(List.of("https://index.docker.io/v1/", "none.io"),
        Files.readAllLines(tmp.resolve("store.log")));

    AuthFiles noPath = AuthFiles.of(config, Map.of("PATH", tmp.resolve("empty").toString()), tmp);
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> noPath.find("r.io"));
    assertTrue(e.getMessage().contains("docker-credential-perhost is not on PATH"),
        e.getMessage());
  }
}
