package dev.lamina.cli;

import dev.lamina.layerfs.testing.Requirements;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.oci.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image commands end to end, with skopeo and umoci as independent judges. */
class ImageCommandsTest {
  @TempDir Path tmp;
  private Cli lamina;
  private Path rootfs;

  @BeforeEach
  void setUp() throws Exception {
    lamina = new Cli(tmp.resolve("store"));
    rootfs = Cli.busyboxRootfs(tmp.resolve("rootfs"));
  }

  private static String exec(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = p.waitFor();
    if (code != 0) {
      throw new AssertionError(String.join(" ", cmd) + " failed (" + code + "): " + out);
    }
    return out;
  }

  @Test
  void import_images_history_inspect() throws Exception {
    String id =
        lamina.run("import", "--change", "CMD [\"sh\"]", "-m", "from busybox-static",
                rootfs.toString(), "busybox")
            .ok()
            .out()
            .strip();
    assertTrue(id.startsWith("sha256:"), id);

    List<String> table = lamina.run("images").ok().lines();
    assertEquals(List.of("REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE"),
        List.of(table.get(0).split("\\s+")));
    assertTrue(table.get(1).startsWith("localhost/busybox"), table.toString());
    assertTrue(table.get(1).contains(id.substring(7, 19)), table.toString());

    JsonNode json = Json.readTree(lamina.run("images", "--format", "json").ok().out().getBytes());
    assertEquals(id, json.get(0).get("Id").asText());

    List<String> history = lamina.run("history", "busybox").ok().lines();
    assertTrue(history.get(1).contains("lamina import"), history.toString());
    assertTrue(history.get(1).contains("from busybox-static"), history.toString());

    JsonNode inspect = Json.readTree(lamina.run("inspect", "busybox").ok().out().getBytes());
    assertEquals("sh", inspect.get(0).get("Config").get("Cmd").get(0).asText());
    assertEquals(id, inspect.get(0).get("Id").asText());
  }

  @Test
  void store_isReadBySkopeoAndUmoci() throws Exception {
    lamina.run("import", rootfs.toString(), "localhost/busybox:latest").ok();
    String layout = tmp.resolve("store/images").toString();
    String inspect =
        exec(Requirements.tool("skopeo").toString(), "inspect",
            "oci:" + layout + ":localhost/busybox:latest");
    assertTrue(inspect.contains("\"Architecture\""), inspect);
    Path bundle = tmp.resolve("bundle");
    exec(Requirements.tool("umoci").toString(), "unpack", "--image",
        layout + ":localhost/busybox:latest", bundle.toString());
    assertTrue(Files.isRegularFile(bundle.resolve("rootfs/bin/busybox")));
    assertTrue(Files.isSymbolicLink(bundle.resolve("rootfs/bin/sh")));
  }

  @Test
  void save_dockerArchive_isAcceptedBySkopeo_andLoadsBack() throws Exception {
    String id = lamina.run("import", rootfs.toString(), "busybox").ok().out().strip();
    Path archive = tmp.resolve("busybox.tar");
    lamina.run("save", "-o", archive.toString(), "busybox").ok();

    Path copied = tmp.resolve("copied");
    exec(Requirements.tool("skopeo").toString(), "copy",
        "docker-archive:" + archive, "oci:" + copied + ":bb");
    String config =
        exec(Requirements.tool("skopeo").toString(), "inspect", "--config", "oci:" + copied + ":bb");
    assertTrue(config.contains("\"diff_ids\""), config);

    Cli other = new Cli(tmp.resolve("other"));
    List<String> loaded = other.run("load", "-i", archive.toString()).ok().lines();
    assertEquals(List.of("Loaded image: localhost/busybox:latest"), loaded);
    assertEquals(id, other.run("images", "-q", "--no-trunc").ok().out().strip());

    // an OCI layout written by skopeo loads with the same image id
    Cli third = new Cli(tmp.resolve("third"));
    third.run("load", "oci:" + copied + ":bb", "-t", "again").ok();
    assertEquals(id, third.run("images", "-q", "--no-trunc").ok().out().strip());
  }

  @Test
  void load_printsOnlyTheNamesInTheArchive() throws Exception {
    lamina.run("import", rootfs.toString(), "busybox").ok();
    Path archive = tmp.resolve("bb.tar");
    lamina.run("save", "-o", archive.toString(), "busybox").ok();
    lamina.run("tag", "busybox", "other:1").ok();
    assertEquals(List.of("Loaded image: localhost/busybox:latest"),
        lamina.run("load", "-i", archive.toString()).ok().lines());
    assertEquals(List.of("Loaded image: localhost/again:latest"),
        lamina.run("load", "-t", "again", "docker-archive:" + archive).ok().lines());
  }

  @Test
  void save_ociArchive_andPushToLayout_roundTrip() throws Exception {
    lamina.run("import", rootfs.toString(), "busybox").ok();
    Path archive = tmp.resolve("bb-oci.tar");
    lamina.run("save", "--format", "oci-archive", "-o", archive.toString(), "busybox").ok();
    exec(Requirements.tool("skopeo").toString(), "inspect",
        "oci-archive:" + archive + ":localhost/busybox:latest");

    Path layout = tmp.resolve("layout");
    lamina.run("push", "busybox", "oci:" + layout + ":v1").ok();
    String digest = lamina.run("images", "--format", "json").ok().out();
    String pushed = Files.readString(layout.resolve("index.json"));
    assertTrue(pushed.contains("\"org.opencontainers.image.ref.name\":\"v1\""), pushed);
    String manifestDigest = Json.readTree(digest.getBytes()).get(0).get("Digest").asText();
    assertTrue(pushed.contains(manifestDigest), "push keeps the manifest digest");

    Cli other = new Cli(tmp.resolve("other"));
    assertEquals(
        List.of("Loaded image: localhost/busybox:latest"),
        other.run("load", "-i", archive.toString()).ok().lines());
  }

  @Test
  void tag_rmi_prune() throws Exception {
    lamina.run("import", rootfs.toString(), "busybox").ok();
    lamina.run("tag", "busybox", "bb:1", "example.com/bb:2").ok();
    String images = lamina.run("images").ok().out();
    assertTrue(images.contains("localhost/bb") && images.contains("example.com/bb"), images);

    Cli.Result refused = lamina.run("rmi", "sha256:" + idOf("busybox").substring(7));
    assertEquals(ExitCodes.ERROR, refused.code(), refused.toString());

    assertEquals(List.of("Untagged: localhost/bb:1"), lamina.run("rmi", "bb:1").ok().lines());
    List<String> removed = lamina.run("rmi", "-f", "busybox", "example.com/bb:2").ok().lines();
    assertTrue(removed.stream().anyMatch(l -> l.startsWith("Deleted: sha256:")), removed.toString());
    assertEquals("", lamina.run("images", "-q").ok().out());
    lamina.run("system", "prune").ok();
    try (Stream<Path> blobs = Files.list(tmp.resolve("store/images/blobs/sha256"))) {
      assertEquals(0, blobs.count());
    }
    assertTrue(lamina.run("system", "check").ok().out().contains(": ok"));
  }

  @Test
  void systemCheck_detectsTampering_andExitsNonZero() throws Exception {
    lamina.run("import", rootfs.toString(), "busybox").ok();
    assertEquals(0, lamina.run("system", "check").code());
    Path blobs = tmp.resolve("store/images/blobs/sha256");
    Path biggest;
    try (Stream<Path> s = Files.list(blobs)) {
      biggest = s.max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
    }
    Files.write(biggest, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);

    Cli.Result check = lamina.run("system", "check");
    assertEquals(ExitCodes.CHECK_FAILED, check.code(), check.toString());
    assertTrue(check.out().contains("corrupt blob"), check.out());

    Cli.Result run = lamina.run("save", "-o", tmp.resolve("x.tar").toString(), "busybox");
    assertEquals(ExitCodes.ERROR, run.code());
    assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());

    Cli.Result repair = lamina.run("system", "check", "--repair");
    assertEquals(0, repair.code(), repair.toString());
    assertEquals(0, lamina.run("system", "check").code());
  }

  @Test
  void errors_areOneLineWithDocumentedCodes() {
    Cli.Result missing = lamina.run("inspect", "nothere");
    assertEquals(ExitCodes.ERROR, missing.code());
    assertEquals("lamina: no such image: nothere", missing.err().strip());

    Cli.Result usage = lamina.run("images", "--bogus");
    assertEquals(ExitCodes.USAGE, usage.code());
    assertTrue(usage.err().startsWith("lamina: Unknown option: '--bogus'"), usage.err());

    Cli.Result badName = lamina.run("import", tmp.toString(), "Bad:Name:x");
    assertEquals(ExitCodes.ERROR, badName.code());
    assertFalse(badName.err().contains("Exception"), badName.err());
    assertEquals(1, badName.err().strip().lines().count(), badName.err());

    Cli.Result badLocation = lamina.run("load", "nowhere:x");
    assertEquals(ExitCodes.ERROR, badLocation.code(), badLocation.toString());
  }

  @Test
  void systemDf_andVersion() {
    lamina.run("import", rootfs.toString(), "busybox").ok();
    List<String> df = lamina.run("system", "df").ok().lines();
    assertTrue(df.get(0).startsWith("TYPE"), df.toString());
    assertTrue(df.stream().anyMatch(l -> l.startsWith("blobs ")), df.toString());
    assertTrue(lamina.run("version").ok().out().startsWith("Version:"));
  }

  private String idOf(String image) throws IOException {
    return Json.readTree(lamina.run("inspect", image).ok().out().getBytes())
        .get(0)
        .get("Id")
        .asText();
  }
}
