package dev.lamina.runner.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime spec of {@code --init}, {@code --ulimit}, {@code --device}, {@code --privileged}. */
class RunFlagsSpecTest {
  @TempDir Path rootfs;

  private RuntimeSpec spec(ContainerOptions o) throws Exception {
    Files.createDirectories(rootfs.resolve("etc"));
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    ImageConfig config =
        ImageConfig.empty("2026-01-01T00:00:00Z")
            .withConfig(ContainerConfig.EMPTY.toBuilder().cmd(List.of("sh")).build());
    return RuntimeSpecs.fromImageConfig(config, o, rootfs);
  }

  @Test
  void init_wrapsTheCommand_bindsTheBinaryReadOnly() throws Exception {
    RuntimeSpec s = spec(ContainerOptions.builder().init(Path.of("/usr/bin/catatonit")).build());
    assertEquals(List.of("/run/lamina-init", "--", "sh"), s.process().args());
    RuntimeSpec.Mount m =
        s.mounts().stream().filter(x -> x.destination().equals("/run/lamina-init")).findFirst()
            .orElseThrow();
    assertEquals("/usr/bin/catatonit", m.source());
    assertTrue(m.options().contains("ro"));
  }

  @Test
  void ulimit_parsedOverTheDefaults_laterWins() throws Exception {
    RuntimeSpec s =
        spec(ContainerOptions.builder()
            .ulimit(Ulimit.parse("nproc=10:20"))
            .ulimit(Ulimit.parse("nproc=30"))
            .ulimit(Ulimit.parse("core=unlimited"))
            .build());
    assertTrue(s.process().rlimits().contains(new RuntimeSpec.Rlimit("RLIMIT_NPROC", 30, 30)));
    assertTrue(s.process().rlimits().contains(new RuntimeSpec.Rlimit("RLIMIT_CORE", -1, -1)));
    assertEquals("RLIMIT_NOFILE", s.process().rlimits().get(0).type());
    assertThrows(IllegalArgumentException.class, () -> Ulimit.parse("nofile=20:10"));
    assertThrows(IllegalArgumentException.class, () -> Ulimit.parse("nofile"));
    assertThrows(IllegalArgumentException.class, () -> Ulimit.parse("nofile=a"));
  }

  @Test
  void device_fromANodeOfOurOwn_withACgroupRuleAfterDenyAll() throws Exception {
    Path node = rootfs.resolve("node");
    assertEquals(0, new ProcessBuilder("mknod", node.toString(), "c", "1", "7").start().waitFor());
    RuntimeSpec s =
        spec(ContainerOptions.builder().device(DeviceMapping.parse(node + ":/dev/full:rw")).build());
    RuntimeSpec.Device d = s.linux().devices().get(0);
    assertEquals(List.of("/dev/full", "c", 1L, 7L), List.of(d.path(), d.type(), d.major(), d.minor()));
    assertEquals(
        List.of(
            new RuntimeSpec.DeviceRule(false, null, null, null, "rwm"),
            new RuntimeSpec.DeviceRule(true, "c", 1L, 7L, "rw")),
        s.linux().resources().devices());
    assertEquals(new DeviceMapping("/dev/a", "/dev/a", "r"), DeviceMapping.parse("/dev/a:r"));
    assertThrows(IllegalArgumentException.class, () -> DeviceMapping.parse("/dev/a:/dev/b:rx"));
    assertThrows(
        IllegalArgumentException.class,
        () -> spec(ContainerOptions.builder().device(DeviceMapping.parse(rootfs + "/etc/passwd")).build()));
  }

  @Test
  void privileged_noSeccompNoMaskedPaths_sysWritable() throws Exception {
    RuntimeSpec s = spec(ContainerOptions.builder().privileged(true).build());
    assertNull(s.linux().seccomp());
    assertNull(s.linux().maskedPaths());
    assertNull(s.linux().readonlyPaths());
    assertTrue(s.mounts().stream().anyMatch(m -> m.destination().equals("/sys") && m.options().contains("rw")));
    assertEquals(
        List.of(new RuntimeSpec.DeviceRule(true, null, null, null, "rwm")),
        s.linux().resources().devices());
    assertEquals(Capabilities.ofThisProcess("CapBnd"), s.process().capabilities().bounding());
  }
}
