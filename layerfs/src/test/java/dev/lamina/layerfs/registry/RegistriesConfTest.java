package dev.lamina.layerfs.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.registry.RegistriesConf.Endpoint;
import dev.lamina.layerfs.registry.RegistriesConf.ShortNameMode;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistriesConfTest {
  @TempDir Path tmp;

  private static String resource(String name) throws IOException {
    try (InputStream in = RegistriesConfTest.class.getResourceAsStream("/registries/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static RegistriesConf example() throws IOException {
    return RegistriesConf.parse(resource("registries.conf"), "registries.conf");
  }

  private static List<String> names(List<Endpoint> endpoints) {
    return endpoints.stream().map(e -> e.ref() + (e.insecure() ? " insecure" : "")).toList();
  }

  @Test
  void podmansExample_searchListModeAndAliases() throws IOException {
    RegistriesConf c = example();
    assertEquals(List.of("registry.fedoraproject.org", "quay.io", "docker.io"),
        c.searchRegistries());
    assertEquals(ShortNameMode.PERMISSIVE, c.shortNameMode());
    assertEquals("quay.io/skopeo/stable", c.aliases().get("skopeo"));
    assertEquals("docker.io/library/bang", c.aliases().get("quoted!"));
    assertEquals(4, c.registries().size());
  }

  /**
   * The files podman's packages ship (golang-github-containers-image's commented example,
   * golang-github-containers-common's short-name aliases) are read as they are: only read here,
   * never changed.
   */
  @Test
  void podmansInstalledFiles_areRead() throws IOException {
    Path example = Path.of("/etc/containers/registries.conf");
    Path aliases = Path.of("/etc/containers/registries.conf.d/shortnames.conf");
    Requirements.require(Files.isRegularFile(example), "golang-github-containers-image");
    Requirements.require(Files.isRegularFile(aliases), "golang-github-containers-common");
    RegistriesConf c = RegistriesConf.read(List.of(example, aliases));
    assertEquals(List.of(example, aliases), c.files());
    assertTrue(c.aliases().size() > 20, c.aliases().toString());
    assertEquals("docker.io/library/alpine:3", c.candidates("alpine:3").get(0).toString());
    assertEquals(1, c.candidates("fedora").size());
  }

  @Test
  void shortName_triesEverySearchRegistryInOrder_whenPermissive() throws IOException {
    assertEquals(
        List.of("registry.fedoraproject.org/alpine:3", "quay.io/alpine:3",
            "docker.io/library/alpine:3"),
        example().candidates("alpine:3").stream().map(RegistryReference::toString).toList());
  }

  @Test
  void alias_winsOverTheSearchList_andKeepsTheTagOrDigest() throws IOException {
    RegistriesConf c = example();
    assertEquals("quay.io/skopeo/stable:v1", c.candidates("skopeo:v1").get(0).toString());
    assertEquals(1, c.candidates("skopeo").size());
    String digest = "sha256:" + "a".repeat(64);
    assertEquals("docker.io/library/almalinux@" + digest,
        c.candidates("almalinux@" + digest).get(0).toString());
    assertEquals("docker.io/library/busybox:latest",
        c.candidates("library/busybox").get(0).toString());
  }

  @Test
  void fullName_isItself() throws IOException {
    assertEquals(List.of("quay.io/x/y:1"),
        example().candidates("quay.io/x/y:1").stream().map(Object::toString).toList());
  }

  @Test
  void enforcing_refusesAnAmbiguousShortName_butNotAnAlias() throws IOException {
    RegistriesConf c = RegistriesConf.parse(
        "unqualified-search-registries = [\"quay.io\", \"docker.io\"]\n"
            + "[aliases]\n\"fedora\" = \"registry.fedoraproject.org/fedora\"\n", "f");
    assertEquals(ShortNameMode.ENFORCING, c.shortNameMode());
    ShortNameException e = assertThrows(ShortNameException.class, () -> c.candidates("alpine"));
    assertTrue(e.getMessage().contains("quay.io/alpine:latest or docker.io/library/alpine:latest"),
        e.getMessage());
    assertEquals(1, c.candidates("fedora").size());
  }

  @Test
  void noSearchList_meansDockerHub_andAnEmptyOneRefuses() throws IOException {
    assertEquals("docker.io/library/alpine:latest",
        RegistriesConf.empty().candidates("alpine").get(0).toString());
    RegistriesConf none = RegistriesConf.parse("unqualified-search-registries = []\n", "f");
    assertThrows(ShortNameException.class, () -> none.candidates("alpine"));
  }

  @Test
  void prefix_rewritesTheLocation_afterTheMirrors() throws IOException {
    assertEquals(
        List.of("example-mirror-0.local/mirror-for-foo/image:latest",
            "example-mirror-1.local/mirrors/foo/image:latest insecure",
            "internal-registry-for-example.net/bar/image:latest"),
        names(example().pullEndpoints(RegistryReference.parse("example.com/foo/image"))));
    assertEquals("internal-registry-for-example.net/bar/image:latest",
        example().pushEndpoint(RegistryReference.parse("example.com/foo/image")).ref()
            .toString());
  }

  @Test
  void prefix_matchesOnlyAtSeparators() throws IOException {
    // example.com/foobar is not under example.com/foo: the blocked example.com applies.
    assertThrows(BlockedRegistryException.class,
        () -> example().pullEndpoints(RegistryReference.parse("example.com/foobar/x")));
    assertThrows(BlockedRegistryException.class,
        () -> example().pushEndpoint(RegistryReference.parse("example.com/other")));
  }

  @Test
  void wildcard_matchesSubdomains_andKeepsTheName() throws IOException {
    assertEquals(List.of("a.internal.test/x:latest insecure"),
        names(example().pullEndpoints(RegistryReference.parse("a.internal.test/x"))));
    assertEquals(List.of("internal.test/x:latest"),
        names(example().pullEndpoints(RegistryReference.parse("internal.test/x"))));
  }

  @Test
  void mirrorByDigestOnly_skipsTheMirrorForTags() throws IOException {
    RegistriesConf c = example();
    assertEquals(List.of("docker.io/library/alpine:latest"),
        names(c.pullEndpoints(RegistryReference.parse("alpine"))));
    String digest = "sha256:" + "b".repeat(64);
    assertEquals(List.of("mirror.gcr.io/library/alpine@" + digest,
            "docker.io/library/alpine@" + digest),
        names(c.pullEndpoints(RegistryReference.parse("alpine@" + digest))));
  }

  @Test
  void version1Tables_areRead() throws IOException {
    RegistriesConf c = RegistriesConf.parse(resource("v1.conf"), "v1.conf");
    assertEquals(List.of("registry1.com", "registry2.com"), c.searchRegistries());
    assertTrue(c.pullEndpoints(RegistryReference.parse("registry3.com/a")).get(0).insecure());
    assertThrows(BlockedRegistryException.class,
        () -> c.pullEndpoints(RegistryReference.parse("registry.unsafe.com/a")));
  }

  @Test
  void load_variableFileAlone() throws IOException {
    Path etc = Files.createDirectories(tmp.resolve("etc/containers/registries.conf.d"));
    Files.writeString(etc.resolve("00-x.conf"), "unqualified-search-registries = [\"etc.io\"]\n");
    Path mine = Files.writeString(tmp.resolve("mine.conf"),
        "unqualified-search-registries = [\"mine.io\"]\n");
    RegistriesConf c = RegistriesConf.load(
        Map.of(RegistriesConf.VARIABLE, mine.toString()), tmp.resolve("home"), tmp.resolve("etc"));
    assertEquals(List.of("mine.io"), c.searchRegistries());
    assertEquals(List.of(mine), c.files());
  }

  @Test
  void load_userFileOverEtc_thenDropInsInOrder() throws IOException {
    Path etc = Files.createDirectories(tmp.resolve("etc/containers/registries.conf.d"));
    Files.writeString(etc.resolveSibling("registries.conf"),
        "unqualified-search-registries = [\"etc.io\"]\n");
    Files.writeString(etc.resolve("10-alias.conf"), "[aliases]\n\"a\" = \"etc.io/a\"\n");
    Files.writeString(etc.resolve("20-mode.conf"),
        "short-name-mode = \"disabled\"\n[[registry]]\nlocation = \"r.io\"\ninsecure = true\n");
    Files.writeString(etc.resolve("ignored.txt"), "not toml at all = = =");
    Path home = tmp.resolve("home");
    RegistriesConf before = RegistriesConf.load(Map.of(), home, tmp.resolve("etc"));
    assertEquals(List.of("etc.io"), before.searchRegistries());
    assertEquals(ShortNameMode.DISABLED, before.shortNameMode());

    Path user = Files.createDirectories(home.resolve(".config/containers/registries.conf.d"));
    Files.writeString(user.resolveSibling("registries.conf"),
        "unqualified-search-registries = [\"home.io\"]\n");
    Files.writeString(user.resolve("50.conf"),
        "[aliases]\n\"a\" = \"home.io/a\"\n[[registry]]\nlocation = \"r.io\"\n");
    Files.writeString(user.resolve("40.conf"),
        "[[registry]]\nlocation = \"r.io\"\ninsecure = true\n");
    RegistriesConf after = RegistriesConf.load(Map.of(), home, tmp.resolve("etc"));
    assertEquals(List.of("home.io"), after.searchRegistries());
    assertEquals("home.io/a", after.aliases().get("a"));
    assertEquals(ShortNameMode.ENFORCING, after.shortNameMode(), "/etc's drop-ins are not read");
    assertEquals(1, after.registries().size());
    assertFalse(after.registries().get(0).insecure(), "the later table replaces the earlier");

    Files.delete(user.resolveSibling("registries.conf"));
    RegistriesConf dropInsOnly = RegistriesConf.load(Map.of(), home, tmp.resolve("etc"));
    assertEquals(List.of("etc.io"), dropInsOnly.searchRegistries());
    assertEquals(ShortNameMode.DISABLED, dropInsOnly.shortNameMode());
    assertEquals("home.io/a", dropInsOnly.aliases().get("a"), "the user's drop-ins come last");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "unqualified-search-registries = [\"a.io\"\n",
    "short-name-mode = \"sometimes\"\n",
    "x = \"\"\"multi\"\"\"\n",
    "unqualified-search-registries = \"docker.io\"\n",
    "[[registry]]\ninsecure = true\n",
    "[[registry]]\nlocation = \"noregistry\"\n",
    "[aliases]\n\"a\" = \"short\"\n",
    "a = 1\na = 2\n",
    "a = 1 b = 2\n",
    "x = 1.5\n",
  })
  void invalidFile_isRefusedWithItsName(String text) {
    IOException e = assertThrows(IOException.class, () -> RegistriesConf.parse(text, "bad.conf"));
    assertTrue(e.getMessage().startsWith("bad.conf"), e.getMessage());
  }

  @Test
  void tomlSubset_linesInErrors_andEscapes() throws IOException {
    IOException e = assertThrows(IOException.class,
        () -> TomlSubset.parse("# c\n\na = 'x'\nb = [1,\n2,\n", "f"));
    assertTrue(e.getMessage().startsWith("f:6:"), e.getMessage());
    assertEquals("a\"b\\c\té", TomlSubset.parse("k = \"a\\\"b\\\\c\\t\\u00e9\"", "f").get("k"));
    assertEquals("C:\\x", TomlSubset.parse("k = 'C:\\x'  # literal", "f").get("k"));
  }
}
