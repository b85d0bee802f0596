package dev.lamina.runner.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.oci.ImageConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a spec needs to run in an unprivileged user's namespace. */
class RootlessSpecsTest {
  @TempDir Path tmp;

  private RuntimeSpec spec(Network network) throws Exception {
    Path rootfs = Files.createDirectories(tmp.resolve("rootfs/etc"));
    Files.writeString(rootfs.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    ContainerOptions options =
        ContainerOptions.builder().entrypoint(List.of("true")).network(network).build();
    return RuntimeSpecs.fromImageConfig(
        ImageConfig.empty("2026-01-01T00:00:00Z"), options, tmp.resolve("rootfs"));
  }

  private static RuntimeSpec.Mount at(RuntimeSpec spec, String destination) {
    return spec.mounts().stream().filter(m -> m.destination().equals(destination)).findFirst()
        .orElse(null);
  }

  @Test
  void hostNetwork_bindsTheHostsSysInsteadOfMountingSysfs() throws Exception {
    RuntimeSpec adapted = RootlessSpecs.adapt(spec(Network.HOST), 65537);
    assertEquals("bind", at(adapted, "/sys").type());
    assertEquals("/sys", at(adapted, "/sys").source());
    assertTrue(at(adapted, "/sys").options().containsAll(List.of("rbind", "ro")));
    assertEquals(null, at(adapted, "/sys/fs/cgroup"), "inside the bound /sys");
  }

  @Test
  void ownNetwork_keepsSysfs() throws Exception {
    RuntimeSpec adapted = RootlessSpecs.adapt(spec(Network.NONE), 65537);
    assertEquals("sysfs", at(adapted, "/sys").type());
    assertEquals("cgroup", at(adapted, "/sys/fs/cgroup").type());
  }

  @Test
  void singleIdMapping_devptsWithoutGroup5() throws Exception {
    assertTrue(at(RootlessSpecs.adapt(spec(Network.NONE), 65537), "/dev/pts").options()
        .contains("gid=5"));
    assertTrue(at(RootlessSpecs.adapt(spec(Network.NONE), 1), "/dev/pts").options().stream()
        .noneMatch(o -> o.startsWith("gid=")));
  }

  @Test
  void mappedGids_sumsTheRanges() {
    assertEquals(65537, RootlessSpecs.mappedGids("         0        995          1\n"
        + "         1     200000      65536\n"));
  }
}
