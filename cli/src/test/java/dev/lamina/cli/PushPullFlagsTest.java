package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.registry.RegistryServer;
import dev.lamina.layerfs.store.Images;
import dev.lamina.layerfs.store.OciContent;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flags of push, pull, login and logout, and the progress they print, against Debian's
 * docker-registry on 127.0.0.1. Needs neither root nor runc: the images are made with the library.
 */
class PushPullFlagsTest {
  private static final Pattern SHORT = Pattern.compile("[0-9a-f]{12}");

  @TempDir Path tmp;
  private RegistryServer registry;

  @BeforeEach
  void start() throws Exception {
    registry = RegistryServer.start(tmp.resolve("registry"));
  }

  @AfterEach
  void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  private String ref(String name) {
    return "docker://" + registry.address() + "/" + name;
  }

  private Images.ResolvedImage image(Path root, String name, String content) throws Exception {
    return TestImages.image(Store.open(root), Files.createTempDirectory(tmp, "work"), name,
        "etc/greeting", content, "data/big.txt", content.repeat(20_000));
  }

  @Test
  void push_zstdTagsDigestfileQuiet_thenPullEachTag() throws Exception {
    Path rootA = tmp.resolve("a");
    image(rootA, "app", "hello\n");
    Cli a = new Cli(rootA);
    Path digestFile = tmp.resolve("digest");
    Cli.Result pushed = a.run("push", "-q", "--compression-format", "zstd",
        "--additional-tag", "2", "--additional-tag", "latest", "--digestfile",
        digestFile.toString(), "app", registry.address() + "/flags/app:1").ok();
    assertEquals("", pushed.err(), "quiet");
    assertEquals("", pushed.out());
    Digest digest = Digest.parse(Files.readString(digestFile));

    for (String tag : List.of("1", "2", "latest")) {
      Path root = tmp.resolve("b-" + tag);
      Cli b = new Cli(root);
      Cli.Result pulled = b.run("pull", "-q", registry.address() + "/flags/app:" + tag).ok();
      assertEquals("", pulled.err());
      assertEquals(1, pulled.lines().size(), pulled.out());
      Store store = Store.open(root);
      Images.ResolvedImage got =
          store.images().resolve(registry.address() + "/flags/app:" + tag);
      assertEquals(digest, got.digest(), "the digest the digest file named");
      assertTrue(got.id().toString().contains(pulled.out().strip()),
          pulled.out() + " vs " + got.id());
      for (Descriptor l : OciContent.manifest(store.blobs(), got.target()).layers()) {
        assertEquals(MediaType.OCI_LAYER_ZSTD, l.mediaType());
      }
      assertEquals(0, b.run("system", "check").code());
    }
  }

  @Test
  void progress_plainLines_forCompressSkipAndMount() throws Exception {
    Path rootA = tmp.resolve("a");
    image(rootA, "app", "progress\n");
    Cli a = new Cli(rootA);
    Cli.Result first =
        a.run("push", "--compression-format", "gzip", "app", ref("p/app:1")).ok();
    List<String> lines = first.err().lines().toList();
    assertTrue(lines.stream().anyMatch(l -> l.matches("Copying blob " + SHORT
        + " \\(compressing, [0-9.]+[kMG]?B\\)")), first.err());
    assertTrue(lines.stream().anyMatch(l -> l.matches("Copying blob " + SHORT
        + " \\(pushing, [0-9.]+[kMG]?B\\)")), first.err());
    assertEquals(2, lines.stream().filter(l -> l.matches("Copying blob " + SHORT + " done"))
        .count(), first.err());
    String last = lines.get(lines.size() - 1);
    assertTrue(last.matches("Writing manifest sha256:[0-9a-f]{64} to " + Pattern.quote(
        registry.address()) + "/p/app \\(1\\)"), last);
    assertFalse(first.err().contains("\033"), "no terminal escapes when not on a terminal");

    Cli.Result again =
        a.run("push", "--compression-format", "gzip", "app", ref("p/app:2")).ok();
    assertEquals(2, again.err().lines()
        .filter(l -> l.matches("Copying blob " + SHORT + " skipped: already exists")).count(),
        again.err());
    Cli.Result elsewhere =
        a.run("push", "--compression-format", "gzip", "app", ref("q/app:1")).ok();
    assertEquals(2, elsewhere.err().lines()
        .filter(l -> l.matches("Copying blob " + SHORT + " mounted")).count(), elsewhere.err());

    Cli.Result pull = new Cli(tmp.resolve("b")).run("pull", ref("q/app:1")).ok();
    assertEquals(List.of("pulling", "done"), pull.err().lines()
        .map(l -> l.replaceAll("Copying blob " + SHORT + " \\(?([a-z]+).*", "$1")).toList(),
        "one layer: " + pull.err());
    assertEquals(1, pull.lines().size(), "the image id alone on stdout: " + pull.out());
  }

  @Test
  void pull_platform_choosesFromAnIndex_andRefusesAMissingOne() throws Exception {
    Path rootA = tmp.resolve("a");
    Images.ResolvedImage one = image(rootA, "one", "one\n");
    Images.ResolvedImage two = image(rootA, "two", "two\n");
    Platform host = Platform.host();
    String otherArch = host.architecture().equals("amd64") ? "arm64" : "amd64";
    Platform other = new Platform(otherArch, "linux", null, null, null);
    Store store = Store.open(rootA);
    byte[] bytes = Json.toBytes(Index.of(List.of(one.target().withPlatform(host),
        two.target().withPlatform(other))));
    Descriptor idx = store.blobs().put(bytes).descriptor(MediaType.OCI_INDEX);
    store.images().name(idx, List.of("localhost/multi:1"));
    new Cli(rootA).run("push", "-q", "multi:1", ref("m/multi:1")).ok();

    Path rootB = tmp.resolve("b");
    new Cli(rootB).run("pull", "-q", "--platform", "linux/" + otherArch, ref("m/multi:1"))
        .ok();
    Path rootC = tmp.resolve("c");
    new Cli(rootC).run("pull", "-q", ref("m/multi:1")).ok();
    String name = registry.address() + "/m/multi:1";
    assertEquals(two.digest(), Store.open(rootB).images().resolve(name).digest());
    assertEquals(one.digest(), Store.open(rootC).images().resolve(name).digest());
    Cli.Result missing = new Cli(tmp.resolve("d"))
        .run("pull", "-q", "--platform", "linux/s390x", ref("m/multi:1"));
    assertEquals(ExitCodes.ERROR, missing.code(), missing.toString());
    assertTrue(missing.err().contains("has no image for linux/s390x"), missing.err());
    Cli.Result bad = new Cli(tmp.resolve("d")).run("pull", "--platform", "", ref("m/multi:1"));
    assertEquals(ExitCodes.USAGE, bad.code(), bad.toString());
  }

  @Test
  void loginLogout_withAnAuthfile() throws Exception {
    registry.close();
    registry = RegistryServer.start(tmp.resolve("auth-registry"), "carol", "s3cret");
    Path rootA = tmp.resolve("a");
    image(rootA, "app", "auth\n");
    Cli a = new Cli(rootA);
    Path auth = tmp.resolve("auth.json");

    Cli.Result wrong = a.run("login", "--authfile", auth.toString(), "-u", "carol", "-p", "nope",
        registry.address());
    assertEquals(ExitCodes.ERROR, wrong.code(), wrong.toString());
    assertFalse(Files.exists(auth) && Files.readString(auth).contains(registry.address()),
        "refused credentials are not stored");

    assertEquals("Login Succeeded!\n", a.run("login", "--authfile", auth.toString(), "-u",
        "carol", "-p", "s3cret", registry.address()).ok().out());
    assertTrue(Files.readString(auth).contains(registry.address()));
    a.run("push", "-q", "--authfile", auth.toString(), "app", ref("auth/app:1")).ok();

    assertEquals("Removed login credentials for " + registry.address() + "\n",
        a.run("logout", "--authfile", auth.toString(), registry.address()).ok().out());
    assertFalse(Files.readString(auth).contains(registry.address()));
    Cli.Result denied = a.run("push", "-q", "--authfile", auth.toString(), "app",
        ref("auth/app:2"));
    assertEquals(ExitCodes.ERROR, denied.code(), denied.toString());
    assertTrue(denied.err().contains("requires a login"), denied.err());
    assertEquals(1, denied.err().strip().lines().count(), "one line: " + denied.err());

    Cli.Result withCreds = new Cli(tmp.resolve("b")).run("pull", "-q", "--authfile",
        auth.toString(), "--creds", "carol:s3cret", ref("auth/app:1"));
    assertEquals(0, withCreds.code(), withCreds.toString());
  }
}
