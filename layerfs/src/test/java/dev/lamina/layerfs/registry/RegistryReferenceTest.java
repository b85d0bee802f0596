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
}
