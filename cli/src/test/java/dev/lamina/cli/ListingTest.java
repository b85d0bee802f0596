package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.testing.Requirements;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ps}, {@code images}, {@code volume ls} and {@code network ls} list and how: docker's
 * filters, {@code -l}/{@code -n}, templates with the {@code table} directive, and the fields
 * container inspect shows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListingTest {
  @TempDir static Path tmp;
  private Cli lamina;

  @BeforeAll
  void containers() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Path rootfs = Cli.busyboxRootfs(tmp.resolve("rootfs"));
    lamina = new Cli(tmp.resolve("store"));
    lamina.run("import", "--change", "CMD [\"sh\"]", "--change", "LABEL tier=web",
        "--change", "EXPOSE 8080", "--change", "WORKDIR /srv", rootfs.toString(), "busybox").ok();
    Path other = java.nio.file.Files.createDirectories(tmp.resolve("other"));
    java.nio.file.Files.writeString(other.resolve("f"), "other layer");
    lamina.run("import", other.toString(), "plain:1").ok();
    lamina.run("create", "--name", "made", "-v", "data:/data", "plain:1", "true").ok();
    lamina.run("run", "--name", "three", "-e", "A=b", "busybox", "sh", "-c", "exit 3").code();
    lamina.run("run", "-d", "--name", "up", "-v", tmp.toString() + ":/host:ro", "busybox",
        "sleep", "60").ok();
  }

  @AfterAll
  void cleanUp() throws Exception {
    lamina.run("rm", "-f", "made", "three", "up").code();
    OverlayMount.unmountAllUnder(tmp);
    assertEquals(List.of(), MountTable.mountPointsUnder(tmp));
  }

  private List<String> names(String... psArgs) {
    String[] args = new String[psArgs.length + 3];
    args[0] = "ps";
    System.arraycopy(psArgs, 0, args, 1, psArgs.length);
    args[args.length - 2] = "--format";
    args[args.length - 1] = "{{.Names}}";
    return lamina.run(args).ok().lines();
  }

  @Test
  void psFilters() {
    assertEquals(List.of("up"), names());
    assertEquals(List.of("up", "three", "made"), names("-a"));
    assertEquals(List.of("three"), names("-a", "--filter", "exited=3"));
    assertEquals(List.of(), names("-a", "--filter", "exited=0"));
    assertEquals(List.of("three"), names("--filter", "status=exited"), "status implies -a");
    assertEquals(List.of("made"), names("-f", "status=created"));
    assertEquals(List.of("up", "three"), names("-a", "--filter", "name=^[tu]"));
    assertEquals(List.of("up", "three"), names("-a", "--filter", "label=tier=web"));
    assertEquals(List.of("up", "three"), names("-a", "--filter", "label=tier"));
    assertEquals(List.of(), names("-a", "--filter", "label=tier=db"));
    assertEquals(List.of("up", "three"), names("-a", "--filter", "ancestor=busybox"));
    assertEquals(List.of("made"), names("-a", "--filter", "ancestor=plain:1"));
    assertEquals(List.of("made"), names("-a", "--filter", "volume=data"));
    assertEquals(List.of("up"), names("-a", "--filter", "volume=/host"));
    assertEquals(List.of("up", "three", "made"), names("-a", "--filter", "network=bridge"));
    assertEquals(List.of("made"), names("-a", "--filter", "before=three"));
    assertEquals(List.of("up"), names("-a", "--filter", "since=three"));
    assertEquals(List.of("up", "made"), names("-a", "-f", "status=running", "-f", "status=created"),
        "values of one key are alternatives");
    assertEquals(List.of(), names("-a", "-f", "status=running", "-f", "name=made"),
        "different keys must all match");
    String id = lamina.run("ps", "-aq", "--filter", "name=made").ok().out().strip();
    assertEquals(List.of("made"), names("-a", "--filter", "id=" + id.substring(0, 5)));
    assertEquals(List.of("up"), names("-l"));
    assertEquals(List.of("up", "three"), names("-n", "2"));
    Cli.Result bad = lamina.run("ps", "--filter", "colour=red");
    assertEquals(ExitCodes.USAGE, bad.code());
    assertTrue(bad.err().startsWith("lamina: invalid filter 'colour'"), bad.err());
    assertEquals(ExitCodes.USAGE, lamina.run("ps", "--filter", "status=asleep").code());
  }

  @Test
  void psHealthFilter() {
    lamina.run("run", "-d", "--name", "checked", "--health-cmd", "true", "busybox", "sleep", "60")
        .ok();
    try {
      lamina.run("healthcheck", "run", "checked").ok();
      assertEquals(List.of("checked"), names("--filter", "health=healthy"));
      assertEquals(List.of(), names("--filter", "health=unhealthy"));
      assertEquals(List.of("up"), names("--filter", "health=none"));
      JsonNode health = Json.readTree(lamina.run("inspect", "checked").ok().out().getBytes())
          .get(0).get("State").get("Health");
      assertEquals("healthy", health.get("Status").asText());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      lamina.run("rm", "-f", "checked").ok();
    }
  }

  @Test
  void psFormats() throws Exception {
    List<String> table = lamina.run("ps", "-a", "--format",
        "table {{.ID}}\\t{{.Names}}\\t{{.State}}").ok().lines();
    assertEquals("CONTAINER ID   NAMES     STATE", table.get(0));
    assertTrue(table.get(1).matches("[0-9a-f]{12}   up        running"), table.get(1));
    assertEquals(4, table.size());
    assertEquals(List.of("up:web:" + tmp),
        lamina.run("ps", "--format", "{{.Names}}:{{.Label \"tier\"}}:{{.Mounts}}").ok().lines());
    String json = lamina.run("ps", "--format", "json").ok().out();
    String dot = lamina.run("ps", "--format", "{{json .}}").ok().out();
    assertEquals(dot, json, "--format json is {{json .}}");
    JsonNode row = Json.readTree(json.getBytes());
    assertEquals("up", row.get("Names").asText());
    assertEquals("tier=web", row.get("Labels").asText());
    assertEquals("running", row.get("State").asText());
    assertTrue(row.has("Networks") && row.has("Mounts") && row.has("RunningFor"), json);
    assertEquals(List.of("UP"), lamina.run("ps", "--format", "{{upper .Names}}").ok().lines());
    assertEquals(List.of("three 3", "made 0"), lamina.run("ps", "-a", "--filter", "status=exited",
        "--filter", "status=created", "--format",
        "{{.Names}} {{if eq .State \"exited\"}}3{{else}}0{{end}}").ok().lines());
  }

  @Test
  void imagesArgumentAndFilters() {
    assertEquals(List.of("localhost/busybox:latest"), lamina.run("images", "busybox",
        "--format", "{{.Repository}}:{{.Tag}}").ok().lines());
    assertEquals(List.of("localhost/plain:1"), lamina.run("images", "plain:1",
        "--format", "{{.Repository}}:{{.Tag}}").ok().lines());
    assertEquals(List.of(), lamina.run("images", "plain:2", "-q").ok().lines());
    assertEquals(List.of("localhost/plain"), lamina.run("images", "--filter", "reference=pl*",
        "--format", "{{.Repository}}").ok().lines());
    assertEquals(List.of("localhost/busybox"), lamina.run("images", "--filter", "label=tier=web",
        "--format", "{{.Repository}}").ok().lines());
    assertEquals(List.of(), lamina.run("images", "--filter", "dangling=true", "-q").ok().lines());
    assertEquals(2, lamina.run("images", "--filter", "dangling=false", "--format", "{{.ID}}")
        .ok().lines().size());
    assertEquals(List.of("localhost/plain"), lamina.run("images", "--filter", "since=busybox",
        "--format", "{{.Repository}}").ok().lines());
    assertEquals(List.of("localhost/busybox"), lamina.run("images", "--filter", "before=plain:1",
        "--format", "{{.Repository}}").ok().lines());
    List<String> table = lamina.run("images", "--format", "table {{.Repository}}\\t{{.Tag}}")
        .ok().lines();
    assertEquals(List.of("REPOSITORY          TAG", "localhost/busybox   latest",
        "localhost/plain     1"), table);
    assertEquals(ExitCodes.USAGE, lamina.run("images", "--filter", "size=1").code());
  }

  @Test
  void volumeAndNetworkFilters() {
    lamina.run("volume", "create", "spare").ok();
    assertEquals(List.of("spare"), lamina.run("volume", "ls", "--filter", "dangling=true",
        "--filter", "name=spa", "-q").ok().lines());
    assertEquals(List.of("data"), lamina.run("volume", "ls", "--filter", "dangling=false",
        "--format", "{{.Name}}").ok().lines());
    assertEquals(List.of("VOLUME NAME   DRIVER", "spare         local"),
        lamina.run("volume", "ls", "-f", "name=spare", "--format",
            "table {{.Name}}\\t{{.Driver}}").ok().lines());
    assertEquals("spare local\n",
        lamina.run("volume", "inspect", "-f", "{{.Name}} {{.Driver}}", "spare").ok().out());
    lamina.run("network", "create", "--label", "team=a", "teamnet").ok();
    try {
      assertEquals(List.of("teamnet"), lamina.run("network", "ls", "--filter", "label=team=a",
          "--format", "{{.Name}}").ok().lines());
      assertEquals(List.of("teamnet"), lamina.run("network", "ls", "--filter", "type=custom",
          "--filter", "dangling=true", "-q").ok().lines());
      assertEquals(List.of(), lamina.run("network", "ls", "--filter", "name=^nope$", "-q")
          .ok().lines());
      assertEquals("teamnet bridge\n", lamina.run("network", "inspect", "-f",
          "{{.name}} {{.driver}}", "teamnet").ok().out());
    } finally {
      lamina.run("network", "rm", "teamnet").ok();
    }
  }

  @Test
  void containerInspect_hasDockersFields() throws Exception {
    JsonNode up = Json.readTree(lamina.run("inspect", "up").ok().out().getBytes()).get(0);
    JsonNode state = up.get("State");
    assertTrue(state.get("Pid").asLong() > 1, state.toString());
    assertTrue(state.get("StartedAt").asText().startsWith("20"), state.toString());
    assertEquals("0001-01-01T00:00:00Z", state.get("FinishedAt").asText());
    assertEquals(0, state.get("ExitCode").asInt());
    assertTrue(state.has("OOMKilled"), state.toString());
    JsonNode config = up.get("Config");
    assertEquals("[\"sleep\",\"60\"]", config.get("Cmd").toString());
    assertTrue(config.get("Env").toString().contains("PATH="), config.toString());
    assertEquals("web", config.get("Labels").get("tier").asText());
    assertEquals("/srv", config.get("WorkingDir").asText());
    assertTrue(config.get("ExposedPorts").has("8080/tcp"), config.toString());
    assertTrue(config.has("User") && config.has("Entrypoint"), config.toString());
    JsonNode mount = up.get("Mounts").get(0);
    assertEquals("bind", mount.get("Type").asText());
    assertEquals("/host", mount.get("Destination").asText());
    assertEquals(false, mount.get("RW").asBoolean());
    assertEquals("up", up.get("Name").asText());
    assertTrue(up.get("Image").asText().startsWith("sha256:"), up.toString());
    assertEquals(0, up.get("RestartCount").asInt());
    assertEquals("bridge", up.get("HostConfig").get("NetworkMode").asText());
    assertTrue(up.get("HostConfig").get("Binds").get(0).asText().endsWith(":/host:ro"));
    assertTrue(up.has("NetworkSettings"), up.toString());

    JsonNode three = Json.readTree(lamina.run("inspect", "three").ok().out().getBytes()).get(0);
    assertEquals(3, three.get("State").get("ExitCode").asInt());
    assertEquals(0, three.get("State").get("Pid").asInt());
    assertTrue(three.get("Config").get("Env").toString().contains("\"A=b\""));
    JsonNode made = Json.readTree(lamina.run("inspect", "made").ok().out().getBytes()).get(0);
    JsonNode volume = made.get("Mounts").get(0);
    assertEquals("volume", volume.get("Type").asText());
    assertEquals("data", volume.get("Name").asText());
    assertEquals("/data", volume.get("Destination").asText());
    assertEquals("volume /data\n", lamina.run("inspect", "-f",
        "{{range .Mounts}}{{.Type}} {{.Destination}}{{end}}", "made").ok().out());
  }

  @Test
  void load_listsOnlyTheArchivesImages() throws Exception {
    Path archive = tmp.resolve("plain.tar");
    lamina.run("tag", "plain:1", "plain:other").ok();
    lamina.run("save", "-o", archive.toString(), "plain:1").ok();
    assertEquals(List.of("Loaded image: localhost/plain:1"),
        lamina.run("load", "-i", archive.toString()).ok().lines());
    lamina.run("rmi", "plain:other").ok();
  }
}
