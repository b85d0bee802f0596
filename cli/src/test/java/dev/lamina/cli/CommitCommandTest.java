package dev.lamina.cli;

import dev.lamina.layerfs.testing.Requirements;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.overlay.OverlayMount;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code commit}: a container's changes become one layer on its image, its files' times kept.
 */
class CommitCommandTest {
  @TempDir Path tmp;
  private Cli lamina;

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    lamina = new Cli(tmp.resolve("store"));
    lamina.run("import", "--change", "CMD [\"sh\"]", Cli.busyboxRootfs(tmp.resolve("rootfs"))
        .toString(), "busybox").ok();
  }

  @AfterEach
  void tearDown() throws IOException {
    OverlayMount.unmountAllUnder(tmp);
  }

  @Test
  void commit_addsOneLayerWithTheChangesOnly() throws Exception {
    lamina.run("run", "--name", "ctr", "-v", "data:/srv/data", "busybox", "sh", "-c",
        "echo hi > /greeting; rm /etc/group; mkdir /made").ok();
    String id =
        lamina.run("commit", "-m", "greeting", "-a", "me", "-c", "CMD [\"cat\", \"/greeting\"]",
                "ctr", "greeted")
            .ok()
            .out()
            .strip();
    assertTrue(id.startsWith("sha256:"), id);

    assertEquals("hi\n", lamina.run("run", "--rm", "greeted").ok().out());
    assertEquals(1, lamina.run("run", "--rm", "greeted", "test", "-e", "/etc/group").code());

    JsonNode image =
        Json.readTree(lamina.run("inspect", "--type", "image", "greeted").ok().out().getBytes())
            .get(0);
    assertEquals(2, image.get("Layers").size());
    assertEquals("me", image.get("Author").asText());
    JsonNode last = image.get("History").get(image.get("History").size() - 1);
    assertEquals("greeting", last.get("comment").asText());

    // Only what the container changed: no /etc/hosts or volume mount points the runtime made.
    String layer = image.get("Layers").get(1).get("Digest").asText().substring(7);
    List<String> names = tarNames(tmp.resolve("store/images/blobs/sha256/" + layer));
    assertEquals(List.of("etc/", "etc/.wh.group", "greeting", "made/"), names);
    assertEquals(0, lamina.run("system", "check").code());
  }

  @Test
  void commit_keepsTheTimesTheContainerGaveItsFiles() throws Exception {
    long before = java.time.Instant.now().getEpochSecond();
    lamina.run("run", "--name", "ctr", "busybox", "sh", "-c",
        "touch -d @1234567890 /stamped; echo x > /fresh").ok();
    lamina.run("commit", "ctr", "timed").ok();
    long after = java.time.Instant.now().getEpochSecond();

    JsonNode image =
        Json.readTree(lamina.run("inspect", "--type", "image", "timed").ok().out().getBytes())
            .get(0);
    String layer = image.get("Layers").get(1).get("Digest").asText().substring(7);
    java.util.Map<String, Long> times = new java.util.TreeMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(
        Files.newInputStream(tmp.resolve("store/images/blobs/sha256/" + layer)))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        times.put(e.getName(), e.getModTime().toInstant().getEpochSecond());
      }
    }
    assertEquals(1234567890L, times.get("stamped"), times.toString());
    long fresh = times.get("fresh");
    assertTrue(fresh >= before && fresh <= after, times.toString());
  }

  @Test
  void commit_ofAnUnknownContainer_isAOneLineError() {
    Cli.Result r = lamina.run("commit", "nosuch", "x");
    assertEquals(ExitCodes.ERROR, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  private static List<String> tarNames(Path blob) throws IOException {
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new ByteArrayInputStream(Files.readAllBytes(blob)))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        names.add(e.getName());
      }
    }
    return names;
  }
}
