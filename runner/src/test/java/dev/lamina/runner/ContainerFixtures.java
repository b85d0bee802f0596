package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.layerfs.testing.Requirements;
import dev.lamina.runner.testing.BusyboxRootfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** What the tests of containers on the real kernel share: their image, and their tidying. */
final class ContainerFixtures {
  private ContainerFixtures() {}

  /**
   * What these tests need of the host (root, runc, conmon: failing under {@code
   * LAMINA_REQUIRE_ALL_TESTS} when missing), then a busybox root filesystem made under {@code
   * shared}, the lower layer of their images.
   */
  static Path busyboxBase(Path shared) throws IOException {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    return BusyboxRootfs.create(shared.resolve("layers/base"));
  }

  /** An image of the busybox root filesystem at {@code base}, whose command is {@code sh}. */
  static ContainerImage busybox(Path base) {
    return new ContainerImage(
        "localhost/busybox:latest",
        Digest.sha256("config".getBytes(StandardCharsets.UTF_8)).toString(),
        ImageConfig.empty("2026-01-01T00:00:00Z")
            .withConfig(ContainerConfig.EMPTY.toBuilder().cmd(List.of("sh")).build()),
        List.of(base));
  }

  /**
   * Removes every container (forced, with its volumes) and the store's run-time network
   * directory (on the host's tmpfs, which a temporary store would otherwise leave behind), then
   * asserts that no mount is left under {@code tmp}; what is left is swept anyway, so that a
   * failing test does not break the next.
   */
  static void removeAllLeavingNoMount(Containers containers, Path tmp) throws IOException {
    for (ContainerRecord r : containers.list(true)) {
      containers.remove(r.id(), true, true);
    }
    List<Path> left = MountTable.mountPointsUnder(tmp);
    OverlayMount.unmountAllUnder(tmp);
    // Fails on a namespace left pinned there: a leak the test should see.
    Trees.deleteRecursively(containers.networks().runtimeDirectory());
    assertEquals(List.of(), left);
  }
}
