package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.oci.Json;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lamina network}: records only (no netavark is run), output as podman's. */
class NetworkCommandTest {
  @TempDir Path root;

  @Test
  void create_ls_inspect_rm_prune() throws Exception {
    Cli lamina = new Cli(root);
    assertEquals(List.of("NETWORK ID     NAME     DRIVER"), lamina.run("network", "ls").ok().lines().subList(0, 1));
    assertTrue(lamina.run("network", "ls").ok().lines().get(1).matches("[0-9a-f]{12}   lamina   bridge"));
    assertEquals("web\n", lamina.run("network", "create", "web").ok().out());
    assertEquals(
        "back\n",
        lamina.run("network", "create", "--subnet", "10.77.0.0/24", "--internal", "--label", "tier=db", "back").ok().out());

    JsonNode back = Json.readTree(lamina.run("network", "inspect", "back").ok().out().getBytes()).get(0);
    assertEquals("back", back.get("name").asText());
    assertEquals("10.77.0.0/24", back.get("subnets").get(0).get("subnet").asText());
    assertEquals("10.77.0.1", back.get("subnets").get(0).get("gateway").asText());
    assertTrue(back.get("internal").asBoolean());
    assertEquals("db", back.get("labels").get("tier").asText());

    Cli.Result dup = lamina.run("network", "create", "web");
    assertEquals(ExitCodes.ERROR, dup.code());
    assertEquals("lamina: network name web already used\n", dup.err());
    Cli.Result overlap = lamina.run("network", "create", "--subnet", "10.77.0.0/16", "other");
    assertEquals("lamina: subnet 10.77.0.0/16 overlaps network back (10.77.0.0/24)\n", overlap.err());
    assertEquals(List.of("back", "lamina", "web"), lamina.run("network", "ls", "-q").ok().lines());

    Cli.Result rm = lamina.run("network", "rm", "web", "nosuch");
    assertEquals(ExitCodes.ERROR, rm.code());
    assertEquals("web\n", rm.out());
    assertEquals("lamina: network not found: nosuch\n", rm.err());
    assertEquals("back\n", lamina.run("network", "prune").ok().out());
    assertEquals(List.of("lamina"), lamina.run("network", "ls", "-q").ok().lines());
  }
}
