package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lamina build} and {@code lamina check} end to end: every sample builds and runs, and the
 * build flags do what they say (judged by skopeo for the archives).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildCommandTest {
  @TempDir static Path tmp;
  private Cli cli;
  private Path samples;

  @BeforeAll
  void busybox() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    samples = Cli.projectRoot().resolve("samples");
    cli = new Cli(tmp.resolve("root"));
    Path ctx = Files.createDirectories(tmp.resolve("busybox"));
    Path rootfs = Cli.busyboxRootfs(tmp.resolve("busybox-rootfs"));
    Process tar = new ProcessBuilder("tar", "--numeric-owner", "--sort=name", "--mtime=@0", "-C",
        rootfs.toString(), "-cf", ctx.resolve("rootfs.tar").toString(), ".")
        .redirectErrorStream(true).start();
    assertEquals(0, tar.waitFor(), new String(tar.getInputStream().readAllBytes()));
    Files.copy(samples.resolve("busybox/Containerfile"), ctx.resolve("Containerfile"));
    cli.run("build", "-q", "-t", "busybox", ctx.toString()).ok();
  }

  @Test
  void samples_hello_buildsAndRuns() {
    cli.run("build", "-q", "-t", "hello", samples.resolve("hello").toString()).ok();
    String out = cli.run("run", "--rm", "hello").ok().out();
    assertTrue(out.contains("Hello from a RUN step"), out);
    assertTrue(out.contains("Built by Lamina."), out);
  }

  @Test
  void samples_multistage_buildsAndRuns_targetBuildsOnlyItsStage() {
    cli.run("build", "-q", "-t", "greet", samples.resolve("multistage").toString()).ok();
    assertEquals("Hello, world! (greet 1.0, running as app)\n",
        cli.run("run", "--rm", "greet").ok().out());
    assertEquals("Hello, Ada! (greet 1.0, running as app)\n",
        cli.run("run", "--rm", "greet", "Ada").ok().out());
    var build = cli.run("build", "--target", "build", "-t", "greet-build",
        samples.resolve("multistage").toString()).ok();
    assertFalse(build.err().contains("COPY --from=build"), "the final stage is not built");
    assertTrue(cli.run("run", "--rm", "greet-build", "cat", "/out/share/VERSION").ok().out()
        .contains("greet 1.0"));
  }

  @Test
  void samples_heredocCache_cacheMountPersistsButIsInNoLayer() {
    String dir = samples.resolve("heredoc-cache").toString();
    cli.run("build", "-q", "-t", "heredoc", dir).ok();
    String first = cli.run("run", "--rm", "heredoc").ok().out();
    assertTrue(first.contains("has run 1 time(s)"), first);
    assertTrue(first.contains("the cache is not in the image"), first);
    cli.run("build", "-q", "--no-cache", "-t", "heredoc", dir).ok();
    String second = cli.run("run", "--rm", "heredoc").ok().out();
    assertTrue(second.contains("has run 2 time(s)"), second);
    cli.run("build", "-q", "-t", "heredoc", dir).ok();
    assertEquals(second, cli.run("run", "--rm", "heredoc").ok().out(),
        "a cached rebuild runs nothing: the count stays");
  }

  @Test
  void samples_httpd_servesTheVolumeOnTheHostNetwork() throws Exception {
    cli.run("build", "-q", "-t", "httpd", samples.resolve("httpd").toString()).ok();
    cli.run("volume", "create", "site").ok();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    cli.run("run", "-d", "--name", "web", "--network", "host", "-e", "PORT=" + port, "-v",
        "site:/www", "httpd").ok();
    try {
      String page = fetch(port);
      assertTrue(page.contains("Served by busybox httpd"), page);
      cli.run("exec", "web", "sh", "-c", "echo '<h1>edited</h1>' > /www/index.html").ok();
      assertEquals("<h1>edited</h1>\n", fetch(port));
    } finally {
      cli.run("rm", "-f", "web");
    }
  }

  private static String fetch(int port) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    Exception last = null;
    for (int i = 0; i < 50; i++) {
      try {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
            .build(), HttpResponse.BodyHandlers.ofString()).body();
      } catch (java.io.IOException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw last;
  }

  @Test
  void output_ociAndDockerArchives_readBySkopeo() throws Exception {
    Requirements.tool("skopeo");
    Path ctx = context("FROM busybox\nLABEL out=yes\n");
    for (String type : List.of("oci", "docker")) {
      Path dest = tmp.resolve("out-" + type + ".tar");
      cli.run("build", "-q", "-t", "out-" + type, "--output", "type=" + type + ",dest=" + dest,
          ctx.toString()).ok();
      String transport = type.equals("oci") ? "oci-archive:" : "docker-archive:";
      Process p = new ProcessBuilder("skopeo", "inspect", "--config", transport + dest)
          .redirectErrorStream(true).start();
      String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), json);
      JsonNode config = Json.readTree(json.getBytes(StandardCharsets.UTF_8));
      assertEquals("yes", config.path("config").path("Labels").path("out").asText(), json);
    }
  }

  @Test
  void progressJson_oneEventPerLine() throws Exception {
    Path ctx = context("FROM busybox\nRUN echo hi > /x\n");
    String out = cli.run("build", "--progress=json", "-t", "json", ctx.toString()).ok().out();
    List<String> lines = List.of(out.split("\n"));
    assertTrue(lines.size() >= 3, out);
    for (String line : lines) {
      Json.readTree(line.getBytes(StandardCharsets.UTF_8)); // every line is one JSON object
    }
    assertTrue(out.contains("RUN echo hi"), out);
  }

  /** RUN steps get the containers' seccomp filter: no user namespaces inside a build either. */
  @Test
  void runSteps_areSeccompFiltered() throws Exception {
    Path ctx =
        context(
            "FROM busybox\n"
                + "RUN grep Seccomp: /proc/self/status > /filter"
                + " && (unshare -U true 2>/dev/null; echo $? > /unshare)\n");
    cli.run("build", "-q", "-t", "filtered", ctx.toString()).ok();
    assertEquals(
        "Seccomp:\t2\n1\n",
        cli.run("run", "--rm", "--security-opt", "seccomp=unconfined", "filtered", "cat",
                "/filter", "/unshare")
            .ok()
            .out());
  }

  @Test
  void recipeFromStdin() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("stdin-ctx"));
    InputStream old = System.in;
    try {
      System.setIn(new ByteArrayInputStream("FROM busybox\nENV FROM_STDIN=1\n"
          .getBytes(StandardCharsets.UTF_8)));
      cli.run("build", "-q", "-f", "-", "-t", "stdin", ctx.toString()).ok();
    } finally {
      System.setIn(old);
    }
    assertTrue(cli.run("inspect", "stdin").ok().out().contains("FROM_STDIN=1"));
  }

  @Test
  void errors_foreignPlatform_missingSource_locatedAtTheLine() throws Exception {
    Path ctx = context("FROM busybox\n\nCOPY missing /x\n");
    var foreign = cli.run("build", "--platform", "linux/s390x", ctx.toString());
    assertNotEquals(0, foreign.code());
    assertTrue(foreign.err().contains("cannot build for platform linux/s390x"), foreign.err());
    var missing = cli.run("build", ctx.toString());
    assertNotEquals(0, missing.code());
    assertTrue(missing.err().contains("Containerfile:3: COPY: \"/missing\" in the build context:"
        + " not found"), missing.err());
    var bad = cli.run("build", context("FROM busybox\nFROBNICATE x\n").toString());
    assertNotEquals(0, bad.code());
    assertTrue(bad.err().contains(":2"), bad.err());
  }

  @Test
  void network_setsTheModeOfStepsThatGiveNone_andBadModesAreRefused() throws Exception {
    Path ctx = context("FROM busybox\nRUN cut -d: -f1 /proc/net/dev | tail -n +3 > /ifaces\n");
    cli.run("build", "-q", "--network", "none", "-t", "offline", ctx.toString()).ok();
    assertEquals("lo\n", cli.run("run", "--rm", "offline", "sh", "-c", "tr -d ' ' < /ifaces")
        .ok().out());
    var bad = cli.run("build", "--network", "bridge", ctx.toString());
    assertEquals(125, bad.code());
    assertEquals("lamina: --network: unsupported network mode \"bridge\""
        + " (supported: default, none, host)\n", bad.err());
  }

  @Test
  void squash_oneLayerOnTheBase() throws Exception {
    Path ctx = context("FROM busybox\nRUN echo a > /a\nRUN echo b > /b && rm /a\n");
    cli.run("build", "-q", "--squash", "-t", "squashed", ctx.toString()).ok();
    cli.run("build", "-q", "-t", "unsquashed", ctx.toString()).ok();
    int base = diffIds("busybox");
    assertEquals(base + 2, diffIds("unsquashed"));
    assertEquals(base + 1, diffIds("squashed"), "the build's own layers became one");
    assertEquals("b\n", cli.run("run", "--rm", "squashed", "cat", "/b").ok().out());
    assertNotEquals(0, cli.run("run", "--rm", "squashed", "cat", "/a").code());
  }

  @Test
  void check_textAndJson() throws Exception {
    Path ctx = context("FROM busybox\nMAINTAINER someone\nCMD echo hi\n");
    var text = cli.run("check", ctx.toString());
    assertTrue(text.out().contains("MaintainerDeprecated") || text.err()
        .contains("MaintainerDeprecated"), text.out() + text.err());
    var json = cli.run("check", "--format", "json", ctx.toString());
    JsonNode report = Json.readTree(json.out().getBytes(StandardCharsets.UTF_8));
    assertTrue(report.toString().contains("MaintainerDeprecated"), json.out());
  }

  @Test
  void runMounts_secretAndCacheStayOutOfTheImage() throws Exception {
    Path ctx = context("FROM busybox\n"
        + "RUN --mount=type=secret,id=token cat /run/secrets/token > /seen-length-only"
        + " && wc -c < /run/secrets/token > /secret-size && rm /seen-length-only\n"
        + "RUN --mount=type=cache,target=/c echo x >> /c/log && wc -l < /c/log > /cache-lines\n"
        + "RUN --mount=type=tmpfs,target=/t touch /t/file && ls /t > /tmpfs-listing\n"
        + "RUN --mount=type=bind,source=data.txt,target=/in cat /in > /bound\n");
    Files.writeString(ctx.resolve("data.txt"), "from the context\n");
    Path secret = tmp.resolve("token");
    Files.writeString(secret, "s3cr3t-value");
    cli.run("build", "-q", "--secret", "id=token,src=" + secret, "-t", "mounts", ctx.toString())
        .ok();
    assertEquals("12\n", cli.run("run", "--rm", "mounts", "cat", "/secret-size").ok().out());
    assertEquals("from the context\n", cli.run("run", "--rm", "mounts", "cat", "/bound").ok()
        .out());
    assertEquals("file\n", cli.run("run", "--rm", "mounts", "cat", "/tmpfs-listing").ok().out());
    assertNotEquals(0, cli.run("run", "--rm", "mounts", "ls", "/t/file").code());
    assertNotEquals(0, cli.run("run", "--rm", "mounts", "cat", "/c/log").code(),
        "the cache mount is in no layer");
    Path archive = tmp.resolve("mounts.tar");
    cli.run("save", "-o", archive.toString(), "mounts").ok();
    byte[] bytes = Files.readAllBytes(archive);
    assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains("s3cr3t-value"),
        "the secret is in no layer, config or history");
    // A changed secret does not change the cache key: the build is fully cached.
    Files.writeString(secret, "another-value");
    var again = cli.run("build", "--secret", "id=token,src=" + secret, "-t", "mounts",
        ctx.toString()).ok();
    String log = again.err();
    int step = log.indexOf("RUN --mount=type=secret");
    assertTrue(step >= 0 && log.substring(step).split("\n")[1].endsWith("CACHED"), log);
  }

  @Test
  void runMounts_bindFromAStage_andCacheContentIsNotInTheKey() throws Exception {
    Path ctx = context("FROM busybox AS tools\n"
        + "RUN mkdir /kit && echo from-the-tools-stage > /kit/note\n"
        + "FROM busybox\n"
        + "RUN --mount=type=bind,from=tools,source=/kit,target=/mnt/kit cat /mnt/kit/note > /got\n"
        + "RUN --mount=type=cache,target=/c date +%s%N >> /c/stamps && wc -l < /c/stamps > /n\n");
    cli.run("build", "-q", "-t", "bindfrom", ctx.toString()).ok();
    assertEquals("from-the-tools-stage\n", cli.run("run", "--rm", "bindfrom", "cat", "/got").ok()
        .out());
    assertNotEquals(0, cli.run("run", "--rm", "bindfrom", "ls", "/mnt/kit/note").code(),
        "the bind mount is in no layer");
    // The cache mount's content changed during the first build; the step still hits.
    var again = cli.run("build", "-t", "bindfrom", ctx.toString()).ok().err();
    int step = again.indexOf("RUN --mount=type=cache");
    assertTrue(step >= 0 && again.substring(step).split("\n")[1].endsWith("CACHED"), again);
  }

  @Test
  void target_buildsOnlyTheStagesItNeeds() throws Exception {
    Path ctx = context("FROM busybox AS broken\n"
        + "RUN echo this stage must not run && false\n"
        + "FROM busybox AS wanted\n"
        + "RUN echo ok > /ok\n"
        + "FROM wanted\n"
        + "COPY --from=broken /etc/passwd /never\n");
    var r = cli.run("build", "--target", "wanted", "-t", "wanted", ctx.toString()).ok();
    assertFalse(r.err().contains("this stage must not run"), r.err());
    assertEquals("ok\n", cli.run("run", "--rm", "wanted", "cat", "/ok").ok().out());
    assertNotEquals(0, cli.run("build", "-q", "-t", "all", ctx.toString()).code(),
        "the last stage needs the broken one");
  }

  private int diffIds(String image) throws Exception {
    JsonNode inspect = Json.readTree(cli.run("inspect", image).ok().out()
        .getBytes(StandardCharsets.UTF_8));
    return inspect.get(0).path("RootFS").path("diff_ids").size();
  }

  private Path context(String recipe) throws Exception {
    Path ctx = Files.createTempDirectory(tmp, "ctx");
    Files.writeString(ctx.resolve("Containerfile"), recipe);
    return ctx;
  }
}
