package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.registry.RegistryServer;
import dev.lamina.layerfs.testing.Loopback;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names and pulls as a docker or podman user expects them: one reference policy for every
 * command, registries.conf, pulls by run/create/FROM, credentials, and unreachable registries
 * said in words. Commands that read the environment (CONTAINERS_REGISTRIES_CONF, PATH,
 * REGISTRY_AUTH_FILE) run as child processes with their own.
 */
class NamesAndPullsTest {
  @TempDir Path tmp;

  @AfterEach
  void tearDown() throws IOException {
    OverlayMount.unmountAllUnder(tmp);
  }

  /** What a child {@code lamina} did. */
  record Run(int code, String out, String err) {
    Run ok() {
      if (code != 0) {
        throw new AssertionError("exit " + code + "\nstdout: " + out + "\nstderr: " + err);
      }
      return this;
    }
  }

  /** A child {@code lamina --root ROOT ARGS} with {@code env} added to this one's. */
  static Run lamina(Path root, Map<String, String> env, String... args) throws Exception {
    return lamina(root, env, List.of(), args);
  }

  static Run lamina(Path root, Map<String, String> env, List<String> jvm, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.addAll(jvm);
    cmd.add(Main.class.getName());
    cmd.add("--root");
    cmd.add(root.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.PIPE);
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    var out = p.getInputStream();
    var err = p.getErrorStream();
    var errText = new java.util.concurrent.CompletableFuture<String>();
    Thread t = new Thread(() -> {
      try {
        errText.complete(new String(err.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        errText.complete("");
      }
    });
    t.start();
    String o = new String(out.readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "lamina " + args[0] + " ended");
    return new Run(p.exitValue(), o, errText.get());
  }

  private Path conf(String text) throws IOException {
    return Files.writeString(Files.createTempFile(tmp, "registries", ".conf"), text);
  }

  private static Map<String, String> with(Path registriesConf) {
    return Map.of("CONTAINERS_REGISTRIES_CONF", registriesConf.toString());
  }

  /** A one-file image named {@code name} in {@code store} (no busybox needed). */
  private void smallImage(Cli store, String name, String content) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("rootfs-" + content));
    Files.writeString(dir.resolve("hello.txt"), content);
    store.run("import", dir.toString(), name).ok();
  }

  @Test
  void oneReferencePolicy_aShortNameFindsTheImageUnderAnyRegistry() throws Exception {
    Cli lamina = new Cli(tmp.resolve("store"));
    smallImage(lamina, "docker.io/library/alpine:3", "a");
    String id = lamina.run("images", "-q").ok().out().strip();
    // Every command that takes an IMAGE sees alpine:3 as the stored docker.io one.
    assertTrue(lamina.run("inspect", "alpine:3").ok().out().contains(id));
    assertFalse(lamina.run("history", "alpine:3").ok().out().isEmpty());
    lamina.run("tag", "alpine:3", "mine:1").ok();
    lamina.run("save", "-o", tmp.resolve("a.tar").toString(), "alpine:3").ok();
    Cli other = new Cli(tmp.resolve("other"));
    assertEquals("Loaded image: docker.io/library/alpine:3\n",
        other.run("load", "-i", tmp.resolve("a.tar").toString()).ok().out());
    assertTrue(other.run("inspect", "library/alpine:3").ok().out().contains(id));
    assertEquals("Untagged: docker.io/library/alpine:3\n",
        lamina.run("rmi", "alpine:3").ok().out());
    assertTrue(lamina.run("inspect", "mine:1").ok().out().contains(id), "the other name stays");
  }

  @Test
  void run_pullsWhatIsMissing_fromTheSearchRegistry_withEachPolicy() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Cli a = new Cli(tmp.resolve("a"));
    a.run("import", "--change", "CMD [\"cat\", \"/etc/motd\"]",
        withMotd(Cli.busyboxRootfs(tmp.resolve("rootfs")), "first\n").toString(), "bb").ok();
    try (RegistryServer registry = RegistryServer.start(tmp.resolve("registry"))) {
      String host = registry.address();
      a.run("push", "-q", "bb", "docker://" + host + "/bb:1").ok();
      Map<String, String> env =
          with(conf("unqualified-search-registries = [\"" + host + "\"]\n"));
      Path b = tmp.resolve("b");

      Run never = lamina(b, env, "run", "--rm", "--pull=never", "bb:1");
      assertEquals(ExitCodes.ERROR, never.code(), never.toString());
      assertEquals("lamina: no such image: bb:1 (and the pull policy is never)\n", never.err());

      Run run = lamina(b, env, "run", "--rm", "bb:1").ok();
      assertEquals("first\n", run.out());
      assertTrue(run.err().contains("Trying to pull " + host + "/bb:1..."), run.err());
      assertTrue(lamina(b, env, "images").ok().out().contains(host + "/bb "));

      // A new image under the same name: missing keeps the stored one, always and newer fetch.
      a.run("import", "--change", "CMD [\"cat\", \"/etc/motd\"]",
          withMotd(tmp.resolve("rootfs"), "second\n").toString(), "bb").ok();
      a.run("push", "-q", "bb", "docker://" + host + "/bb:1").ok();
      assertEquals("first\n", lamina(b, env, "run", "--rm", "bb:1").ok().out());
      assertEquals("second\n", lamina(b, env, "run", "--rm", "--pull=newer", "bb:1").ok().out());
      String created = lamina(b, env, "create", "--pull=always", "-q", "bb:1").ok().out().strip();
      assertEquals(64, created.length(), created);
      Run bad = lamina(b, env, "run", "--pull=sometimes", "bb:1");
      assertEquals(ExitCodes.USAGE, bad.code(), bad.toString());
    }
  }

  private static Path withMotd(Path rootfs, String text) throws IOException {
    Files.writeString(rootfs.resolve("etc/motd"), text);
    return rootfs;
  }

  @Test
  void pull_shortNameAndAlias_andBuildFromPullsItsBase() throws Exception {
    Cli a = new Cli(tmp.resolve("a"));
    smallImage(a, "base", "b");
    try (RegistryServer registry = RegistryServer.start(tmp.resolve("registry"))) {
      String host = registry.address();
      a.run("push", "-q", "base", "docker://" + host + "/team/base:1").ok();
      Map<String, String> env = with(conf("unqualified-search-registries = [\"" + host + "\"]\n"
          + "[aliases]\n\"nick\" = \"" + host + "/team/base\"\n"));

      Run pulled = lamina(tmp.resolve("b"), env, "pull", "nick:1").ok();
      assertTrue(lamina(tmp.resolve("b"), env, "images").ok().out()
          .contains(host + "/team/base"), pulled.toString());

      Path ctx = Files.createDirectories(tmp.resolve("ctx"));
      Files.writeString(ctx.resolve("Containerfile"), "FROM team/base:1\nCOPY x /x\n");
      Files.writeString(ctx.resolve("x"), "x");
      Path c = tmp.resolve("c");
      Run never = lamina(c, env, "build", "--pull=never", ctx.toString());
      assertEquals(1, never.err().lines().filter(l -> l.startsWith("lamina:")).count(),
          never.err());
      assertTrue(never.err().contains("no such image: team/base:1"), never.err());
      Run build = lamina(c, env, "build", "-t", "built", ctx.toString()).ok();
      assertTrue(build.err().contains("Trying to pull " + host + "/team/base:1"), build.err());
      assertTrue(lamina(c, env, "images").ok().out().contains("localhost/built"));
      // --pull alone is always, as docker build --pull: the context after it is no policy.
      Run again = lamina(c, env, "build", "--pull", ctx.toString()).ok();
      assertTrue(again.err().contains("Trying to pull " + host + "/team/base:1"), again.err());
      Run cached = lamina(c, env, "build", ctx.toString()).ok();
      assertFalse(cached.err().contains("Trying to pull"), "missing: the stored one");
    }
  }

  @Test
  void registriesConf_rewritesMirrorsAndBlocks() throws Exception {
    Cli a = new Cli(tmp.resolve("a"));
    smallImage(a, "img", "m");
    try (RegistryServer registry = RegistryServer.start(tmp.resolve("registry"))) {
      String host = registry.address();
      a.run("push", "-q", "img", "docker://" + host + "/real/img:1").ok();
      // example.test and mirrored.test do not exist: only the rewriting makes these pulls work.
      Map<String, String> env = with(conf(
          "[[registry]]\nprefix = \"example.test/team\"\nlocation = \"" + host + "/real\"\n"
              + "[[registry]]\nprefix = \"mirrored.test\"\n"
              + "[[registry.mirror]]\nlocation = \"" + host + "\"\n"
              + "[[registry]]\nprefix = \"" + host + "/real\"\nblocked = true\n"));
      Path b = tmp.resolve("b");
      lamina(b, env, "pull", "-q", "example.test/team/img:1").ok();
      lamina(b, env, "pull", "-q", "mirrored.test/real/img:1").ok();
      String images = lamina(b, env, "images").ok().out();
      assertTrue(images.contains("example.test/team/img"), images);
      assertTrue(images.contains("mirrored.test/real/img"), images);
      Run blocked = lamina(b, env, "pull", host + "/real/img:1");
      assertEquals(ExitCodes.ERROR, blocked.code());
      assertEquals("lamina: registry " + host + " is blocked for " + host
          + "/real/img:1 (registries.conf: " + host + "/real)\n", blocked.err());
    }
  }

  @Test
  void tls_insecureRegistry_orCertsDirAuthority() throws Exception {
    Cli a = new Cli(tmp.resolve("a"));
    smallImage(a, "img", "t");
    Path tlsDir = tmp.resolve("tls");
    try (RegistryServer registry = RegistryServer.startTls(tlsDir)) {
      String host = registry.address();
      String ref = host + "/x/img:1";
      Path none = conf("");
      Run untrusted = lamina(tmp.resolve("a"), with(none), "push", "-q", "img", ref);
      assertEquals(ExitCodes.ERROR, untrusted.code(), untrusted.toString());

      lamina(tmp.resolve("a"), with(conf("[[registry]]\nlocation = \"" + host
          + "\"\ninsecure = true\n")), "push", "-q", "img", ref).ok();

      Path certs = Files.createDirectories(tmp.resolve("certs").resolve(host));
      Files.copy(tlsDir.resolve("cert.pem"), certs.resolve("ca.crt"));
      Run trusted = lamina(tmp.resolve("b"), with(none), "pull", "-q", "--cert-dir",
          tmp.resolve("certs").toString(), ref);
      trusted.ok();
      Run without = lamina(tmp.resolve("c"), with(none), "pull", "-q", ref);
      assertEquals(ExitCodes.ERROR, without.code(), without.toString());
    }
  }

  @Test
  void credentials_fromAHelperOnPath_andRegistryAuthFile() throws Exception {
    Cli a = new Cli(tmp.resolve("a"));
    smallImage(a, "img", "c");
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    try (RegistryServer registry = RegistryServer.start(tmp.resolve("registry"), "alice", "pw")) {
      String host = registry.address();
      Path helper = bin.resolve("docker-credential-test");
      Files.writeString(helper, "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread -r server\n"
          + "[ \"$server\" = '" + host + "' ] || exit 1\n"
          + "printf '{\"ServerURL\":\"%s\",\"Username\":\"alice\",\"Secret\":\"pw\"}' \"$server\"\n");
      Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path auth = Files.writeString(tmp.resolve("config.json"),
          "{\"credHelpers\": {\"" + host + "\": \"test\"}}");
      Map<String, String> env = new HashMap<>(with(conf("")));
      env.put("REGISTRY_AUTH_FILE", auth.toString());
      Run denied = lamina(tmp.resolve("a"), env, "push", "-q", "img", host + "/x/img:1");
      assertEquals(ExitCodes.ERROR, denied.code(), "the helper is not on PATH");
      assertTrue(denied.err().contains("docker-credential-test is not on PATH"), denied.err());
      env.put("PATH", bin + ":" + System.getenv("PATH"));
      lamina(tmp.resolve("a"), env, "push", "-q", "img", host + "/x/img:1").ok();
      lamina(tmp.resolve("b"), env, "pull", "-q", host + "/x/img:1").ok();

      String help = lamina(tmp.resolve("a"), env, "pull", "--help").ok().out()
          .replaceAll("\\s+", " ");
      assertTrue(help.contains("(default: " + auth), help);
      assertFalse(help.contains("null/"), help);
    }
  }

  @Test
  void unreachableRegistry_isSaidInWords_onOneLine() throws Exception {
    // Only a hosts file of our own resolves names: nothing is asked of a DNS server.
    Path hosts = Files.writeString(tmp.resolve("hosts"), "127.0.0.1 localhost\n");
    List<String> jvm = List.of("-Djdk.net.hosts.file=" + hosts);
    Map<String, String> env = with(conf(""));
    Path root = tmp.resolve("s");
    Run hub = lamina(root, env, jvm, "pull", "-q", "alpine");
    assertEquals("lamina: cannot reach registry-1.docker.io: name does not resolve\n",
        hub.err());
    Run named = lamina(root, env, jvm, "pull", "-q", "registry.example.test/a/b:1");
    assertEquals("lamina: cannot reach registry.example.test: name does not resolve\n",
        named.err());
    int port = Loopback.freePort();
    Run refused = lamina(root, env, jvm, "pull", "-q", "127.0.0.1:" + port + "/a:1");
    assertEquals("lamina: cannot reach 127.0.0.1:" + port + ": connection refused\n",
        refused.err());
    assertEquals(ExitCodes.ERROR, refused.code());
  }
}
