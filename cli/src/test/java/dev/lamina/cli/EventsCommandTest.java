package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.registry.RegistryServer;
import dev.lamina.layerfs.testing.Requirements;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lamina events}: the store's journal of container and image events, and following it. */
class EventsCommandTest {
  @TempDir Path tmp;

  @AfterEach
  void tearDown() throws Exception {
    OverlayMount.unmountAllUnder(tmp);
  }

  private static List<String> lines(Cli.Result r) {
    return r.ok().out().lines().toList();
  }

  @Test
  void containerAndImageEvents_filters_formats_sinceUntil() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Cli lamina = new Cli(tmp.resolve("store"));
    Instant before = Instant.now();
    lamina.run("import", Cli.busyboxRootfs(tmp.resolve("rootfs")).toString(), "busybox").ok();
    lamina.run("run", "--rm", "--name", "once", "-l", "app=web", "busybox", "sh", "-c", "exit 3");
    lamina.run("run", "--name", "kept", "busybox", "true").ok();
    lamina.run("commit", "kept", "committed").ok();
    lamina.run("rm", "kept").ok();
    lamina.run("tag", "busybox", "other:1").ok();
    lamina.run("rmi", "other:1").ok();
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nLABEL x=y\n");
    lamina.run("build", "-q", "-t", "built", ctx.toString()).ok();
    try (RegistryServer registry = RegistryServer.start(tmp.resolve("registry"))) {
      lamina.run("push", "busybox", "docker://" + registry.address() + "/demo/bb:1").ok();
      lamina.run("pull", "-q", registry.address() + "/demo/bb:1").ok();
    }
    String until = Instant.now().plusMillis(1).toString();
    String since = before.minusSeconds(1).toString();

    List<String> all =
        lines(lamina.run("events", "--since", since, "--until", until, "--format",
            "{{.Type}} {{.Action}}"));
    assertEquals(
        List.of(
            "image import",
            "container create", "container start", "container die", "container destroy",
            "container create", "container start", "container die", "container commit",
            "container destroy",
            "image tag", "image untag", "image build", "image push", "image pull"),
        all, all.toString());

    assertEquals(
        List.of("die once 3 app=web"),
        lines(lamina.run("events", "--since", since, "--until", until, "--filter", "event=die",
            "--filter", "label=app", "--format",
            "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}"
                + " app={{.Actor.Attributes.app}}")));
    assertEquals(
        4,
        lines(lamina.run("events", "--since", since, "--until", until, "--filter",
            "container=once", "--filter", "label=app=web")).size());
    assertEquals(
        List.of("commit localhost/committed:latest"),
        lines(lamina.run("events", "--since", since, "--until", until, "--filter",
            "event=commit", "--format", "{{.Action}} {{.Actor.Attributes.imageName}}")));
    assertEquals(
        List.of("tag", "untag"),
        lines(lamina.run("events", "--since", since, "--until", until, "--filter", "type=image",
            "--filter", "image=localhost/other:1", "--format", "{{.Action}}")));
    // The default line: time, type, action, id and the attributes.
    String line =
        lines(lamina.run("events", "--since", since, "--until", until, "-f", "event=create")).get(0);
    assertTrue(line.matches("\\S+Z container create [0-9a-f]{64} \\(app=web, image=\\S+, name=once\\)"), line);
    JsonNode json =
        Json.readTree(
            lines(lamina.run("events", "--since", since, "--until", until, "-f", "event=build",
                "--format", "json")).get(0).getBytes(StandardCharsets.UTF_8));
    assertEquals("build", json.get("Action").asText());
    assertEquals("localhost/built:latest", json.get("Actor").get("Attributes").get("name").asText());
    // Before --since: nothing; a bad time or filter: one line, 125.
    assertEquals(List.of(), lines(lamina.run("events", "--since", until, "--until", until)));
    assertEquals(125, lamina.run("events", "--since", "yesterday", "--until", until).code());
    assertEquals(125, lamina.run("events", "--filter", "colour=red", "--until", until).code());
  }

  /** Without --until, events follows the journal, as docker's: new events appear as they happen. */
  @Test
  void follow_printsNewEventsUntilStopped() throws Exception {
    Cli lamina = new Cli(tmp.resolve("store"));
    Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
    Files.writeString(rootfs.resolve("f"), "x");
    lamina.run("import", rootfs.toString(), "first").ok();
    List<String> cmd = new ArrayList<>(ContainerSupport.laminaCommand());
    cmd.addAll(List.of("events", "--root", tmp.resolve("store").toString(), "--format",
        "{{.Action}} {{.Actor.Attributes.name}}"));
    Process follower = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(follower.getInputStream(), StandardCharsets.UTF_8))) {
      // Tag until the follower has seen one (it may start after the first tags).
      String seen = null;
      for (int i = 0; i < 600 && seen == null; i++) {
        lamina.run("tag", "first", "second:" + i).ok();
        Thread.sleep(100);
        while (out.ready()) {
          String l = out.readLine();
          if (l.startsWith("tag ")) {
            seen = l;
          }
        }
      }
      assertTrue(seen != null && seen.matches("tag localhost/second:\\d+"), String.valueOf(seen));
      assertTrue(follower.isAlive(), "still following");
    } finally {
      follower.destroy();
      follower.waitFor();
    }
  }
}
