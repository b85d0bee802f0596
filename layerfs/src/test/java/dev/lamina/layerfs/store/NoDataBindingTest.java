package dev.lamina.layerfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a container start does with a store (open it, write and resolve an image, read its manifest,
 * index and config) loads none of Jackson's data binding, in a JVM of its own: creating the mapper
 * and introspecting the records by reflection would cost a short command more than the rest of its
 * work.
 */
class NoDataBindingTest {
  private static final String DONE = "no-data-binding-probe: done";

  /** Run in the child JVM: the store work of a container start, then {@link #DONE}. */
  public static void main(String[] args) throws Exception {
    Store store = Store.open(Path.of(args[0]));
    BlobInfo layer = store.blobs().put("a layer".getBytes(StandardCharsets.UTF_8));
    ImageConfig config =
        ImageConfig.empty("2026-01-01T00:00:00Z")
            .withConfig(
                ContainerConfig.EMPTY.toBuilder()
                    .cmd(List.of("true"))
                    .exposedPorts(Map.of("80/tcp", Map.of()))
                    .build())
            .withLayer(layer.digest(), new ImageConfig.History(null, "ADD", null, null, null));
    store.images().write(config, List.of(layer.descriptor(MediaType.OCI_LAYER)), "probe:1");
    store.images().tag("probe:1", "probe:2");
    Images.ImageDetails details = store.images().forPlatform("probe:2", Platform.host());
    if (!details.config().config().cmd().equals(List.of("true"))) {
      throw new AssertionError(details.config());
    }
    Index index = store.layout().index();
    Json.readIndex(Json.toBytes(index), MediaType.OCI_INDEX);
    Json.read(Json.toBytes(details.manifest()), Manifest.class);
    store.images().resolve(details.config().diffIds().isEmpty() ? "none" : "probe:1");
    System.out.println(DONE);
  }

  @Test
  void containerStartPath_loadsNoDataBinding(@TempDir Path dir) throws Exception {
    String log = ChildJvm.classLoads(NoDataBindingTest.class, DONE,
        dir.resolve("store").toString());
    List<String> loaded =
        log.lines().filter(l -> l.contains("com.fasterxml.jackson.databind.")).toList();
    assertEquals(List.of(), loaded);
  }
}
