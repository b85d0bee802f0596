package dev.lamina.layerfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** skopeo and umoci, as independent judges, read the store's images/ as an OCI layout. */
class ToolsAcceptStoreTest {
  @TempDir Path root;
  @TempDir Path work;

  @Test
  void skopeoInspect_readsStoreByFullReference() throws Exception {
    Requirements.tool("skopeo");
    Store store = Store.open(root);
    var img = TestImages.image(store, work, "hello", "etc/hello", "hi\n");
    String out =
        TestImages.run(
            work, "skopeo", "inspect", "oci:" + root.resolve("images") + ":localhost/hello:latest");
    assertEquals(img.digest().toString(), Json.readTree(out.getBytes()).path("Digest").asText());
    String config =
        TestImages.run(
            work,
            "skopeo",
            "inspect",
            "--config",
            "--raw",
            "oci:" + root.resolve("images") + ":localhost/hello:latest");
    assertEquals("/bin/sh", Json.readTree(config.getBytes()).path("config").path("Cmd").get(0)
        .asText());
  }

  @Test
  void umociUnpack_extractsStoreImage() throws Exception {
    Requirements.tool("umoci");
    Requirements.root();
    Store store = Store.open(root);
    Path t1 = TestImages.gnuTarLayer(work, "etc/hello", "hi\n");
    Path t2 = TestImages.gnuTarLayer(work, "etc/second", "2\n");
    TestImages.imageOf(store, List.of(t1, t2), true, "hello");
    Path bundle = work.resolve("bundle");
    TestImages.run(
        work,
        "umoci",
        "unpack",
        "--image",
        root.resolve("images") + ":localhost/hello:latest",
        bundle.toString());
    assertEquals("hi\n", Files.readString(bundle.resolve("rootfs/etc/hello")));
    assertEquals("2\n", Files.readString(bundle.resolve("rootfs/etc/second")));
    assertTrue(Files.exists(bundle.resolve("config.json")));
    // umoci's own GC-free read must not have changed the store.
    assertTrue(store.check().run().isClean());
  }
}
