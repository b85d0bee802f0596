package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.oci.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lamina system info}: store, runtime, kernel, cgroups, networks, rootless. */
class SystemInfoCommandTest {
  @TempDir Path tmp;

  @Test
  void info_json_template_text() throws Exception {
    Cli lamina = new Cli(tmp.resolve("store"));
    Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
    Files.writeString(rootfs.resolve("f"), "x");
    lamina.run("import", rootfs.toString(), "one").ok();
    lamina.run("tag", "one", "two").ok();
    JsonNode info =
        Json.readTree(lamina.run("system", "info", "--format", "json").ok().out()
            .getBytes(StandardCharsets.UTF_8));
    assertEquals(tmp.resolve("store").toString(), info.get("Store").get("Root").asText());
    assertEquals(1, info.get("Store").get("Images").asInt(), "one image, two names");
    assertEquals(0, info.get("Store").get("Containers").asInt());
    assertEquals(
        Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(),
        info.get("Kernel").get("Version").asText());
    String cgroups = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "2"
        : Files.isDirectory(Path.of("/sys/fs/cgroup/unified")) ? "1 (hybrid)" : "1";
    assertEquals(cgroups, info.get("Cgroups").get("Version").asText());
    assertEquals("runc", info.get("Runtime").get("Name").asText());
    assertTrue(info.get("Networks").has("Names"));
    assertEquals(
        !System.getProperty("user.name").equals("root"), info.get("Rootless").asBoolean());
    assertEquals(
        "runc " + info.get("Rootless").asText() + "\n",
        lamina.run("system", "info", "--format", "{{.Runtime.Name}} {{.Rootless}}").ok().out());
    String text = lamina.run("system", "info").ok().out();
    assertTrue(text.contains("Store:\n  Root: " + tmp.resolve("store")), text);
    assertTrue(text.contains("Cgroups:\n  Version: " + cgroups), text);
    assertEquals(125, lamina.run("system", "info", "--format", "{{.Nope}}").code());
  }

  @Test
  void cgroupVersion_unifiedHybridLegacy() throws Exception {
    Path v2 = Files.createDirectories(tmp.resolve("v2"));
    Files.writeString(v2.resolve("cgroup.controllers"), "cpu memory");
    assertEquals("2", SystemInfoCommand.cgroupVersion(v2));
    Path hybrid = Files.createDirectories(tmp.resolve("hybrid/unified"));
    assertEquals("1 (hybrid)", SystemInfoCommand.cgroupVersion(hybrid.getParent()));
    assertEquals("1", SystemInfoCommand.cgroupVersion(Files.createDirectories(tmp.resolve("v1"))));
  }
}
