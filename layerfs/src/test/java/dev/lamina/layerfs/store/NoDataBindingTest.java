package dev.lamina.layerfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.oci.Platform;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Xmx128m");
    cmd.add("-Xlog:class+load=info:stdout");
    cmd.add(NoDataBindingTest.class.getName());
    cmd.add(dir.resolve("store").toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    String log = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), log);
    assertTrue(log.contains(DONE), log);
    List<String> loaded =
        log.lines().filter(l -> l.contains("com.fasterxml.jackson.databind.")).toList();
    assertEquals(List.of(), loaded);
  }
}
