package dev.lamina.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store on a filesystem overlayfs refuses as upper (overlayfs itself, as inside another
 * container): RUN, WORKDIR and COPY work on a flattened copy of the layers, and the image is the
 * one the overlay path builds from the same recipe, layer for layer.
 */
class FlattenedBuildTest {
  private static final String RECIPE =
      String.join(
          "\n",
          "FROM busybox",
          "RUN mkdir -p /data/sub && echo one > /data/sub/f && echo keep > /data/keep"
              + " && echo gone > /data/gone && ln /data/keep /data/keep2 && ln -s keep /data/link"
              + " && echo mode > /data/mode && echo owner > /data/owner"
              + " && mkdir -p /data/again/old && echo old > /data/again/old/f",
          // Changes to what lower layers hold: modify, chmod, chown, delete a file and a directory,
          // replace a directory, retarget a symlink, link a file that was there, create. (Not
          // writing to one name of a file linked in a lower layer: overlayfs copies that name up
          // alone and breaks the link, which a flattened copy keeps.)
          "RUN echo more >> /etc/passwd && rm /etc/group && rm /data/gone && chmod 600 /data/mode"
              + " && chown 1000:1000 /data/owner && mv /data/sub /tmp/old && mkdir /data/sub"
              + " && echo g > /data/sub/g && rm -r /tmp/old /home/app && ln -sf keep2 /data/link"
              + " && ln /bin/busybox /data/bb && echo new > /new"
              // removed and made again at once: the filesystem hands its inode number out again
              + " && rm -rf /data/again && mkdir /data/again && echo n > /data/again/n",
          "WORKDIR /work/dir",
          "COPY a.txt ./",
          "RUN cat a.txt >> /data/mode && touch -d @0 /data/mode && mkdir /made && rm -rf /root");

  @TempDir Path tmp;

  @AfterEach
  void tearDown() throws IOException {
    OverlayMount.unmountAllUnder(tmp);
  }

  @Test
  void runOnAStoreInsideOverlayfs_buildsTheImageTheOverlayPathBuilds() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("tar");
    Path base = BusyboxBase.context(tmp);
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("a.txt"), "from the context\n");

    Store overlaid = Store.open(tmp.resolve("overlay-store"));
    Path outer = Files.createDirectories(tmp.resolve("outer"));
    OverlayMount.of(
            List.of(Files.createDirectories(tmp.resolve("l"))),
            Files.createDirectories(tmp.resolve("u")),
            Files.createDirectories(tmp.resolve("w")))
        .mountOn(outer);
    Store flattened = Store.open(outer.resolve("store"));
    assertOverlayRefusedIn(outer);

    for (Store store : List.of(overlaid, flattened)) {
      build(store, base, Files.readString(base.resolve("Containerfile")), "busybox");
      build(store, ctx, RECIPE, "test");
    }

    ImageDetails viaOverlay = overlaid.images().inspect("test");
    ImageDetails viaCopy = flattened.images().inspect("test");
    Path root = rootfs(overlaid, viaOverlay, "overlay-rootfs");
    Map<String, String> tree = describeTree(root);
    assertEquals(Map.of(), differences(tree, describeTree(rootfs(flattened, viaCopy, "flat"))));
    assertEquals(viaOverlay.config().diffIds(), viaCopy.config().diffIds());

    assertTrue(Files.readString(root.resolve("etc/passwd")).endsWith("/bin/false\nmore\n"));
    assertEquals("mode\nfrom the context\n", Files.readString(root.resolve("data/mode")));
    for (String gone : List.of("etc/group", "data/gone", "data/sub/f", "home/app", "root")) {
      assertFalse(tree.containsKey(gone), gone);
    }
    assertEquals("symlink 777 0:0 -> keep2", tree.get("data/link"));
    assertTrue(tree.get("data/mode").startsWith("file 600 0:0 1 "), tree.get("data/mode"));
    assertTrue(tree.get("data/owner").startsWith("file 644 1000:1000 1 "), tree.get("data/owner"));
    assertTrue(tree.get("data/keep2").startsWith("file 644 0:0 2 "), tree.get("data/keep2"));
    assertTrue(tree.get("data/bb").startsWith("file 755 0:0 2 "), tree.get("data/bb"));
    assertFalse(tree.containsKey("data/again/old"));
    for (String made : List.of("data/sub/g", "made", "work/dir/a.txt", "new", "data/again/n")) {
      assertTrue(tree.containsKey(made), made);
    }
  }

  /** What makes the fallback necessary: the kernel refuses an overlay upper on overlayfs. */
  private static void assertOverlayRefusedIn(Path dir) throws IOException {
    Path m = Files.createDirectories(dir.resolve("probe/m"));
    assertThrows(
        IOException.class,
        () ->
            OverlayMount.of(
                    List.of(Files.createDirectories(dir.resolve("probe/l"))),
                    Files.createDirectories(dir.resolve("probe/u")),
                    Files.createDirectories(dir.resolve("probe/w")))
                .mountOn(m));
  }

  /**
   * Builds reproducibly: RUN output keeps the times the commands gave it, which differ between
   * the two builds, so both clamp them to one epoch (earlier than any file either build makes).
   */
  private static void build(Store store, Path context, String recipe, String tag)
      throws Exception {
    Builder.build(
        store,
        BuildOptions.builder(context).recipeText(recipe).tag(tag).sourceDateEpoch("1000000000")
            .build(),
        Progress.quiet());
  }

  /** The image's layers applied in a plain directory. */
  private Path rootfs(Store store, ImageDetails image, String name) throws IOException {
    Path root = Files.createDirectories(tmp.resolve(name));
    List<Descriptor> layers = image.manifest().layers();
    for (int i = 0; i < layers.size(); i++) {
      ExtractedLayers.of(store).applyOnto(layers.get(i), image.config().diffIds().get(i), root);
    }
    return root;
  }

  /** The paths whose descriptions differ, each with both descriptions. */
  private static Map<String, String> differences(Map<String, String> a, Map<String, String> b) {
    Map<String, String> out = new TreeMap<>();
    Set<String> paths = new TreeSet<>(a.keySet());
    paths.addAll(b.keySet());
    for (String p : paths) {
      if (!Objects.equals(a.get(p), b.get(p))) {
        out.put(p, a.get(p) + " | " + b.get(p));
      }
    }
    return out;
  }

  /** Each path's type, mode, owner, link count and content digest or link target; no times. */
  private static Map<String, String> describeTree(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        if (!p.equals(root)) {
          out.put(root.relativize(p).toString(), describe(p));
        }
      }
    }
    return out;
  }

  private static String describe(Path p) throws IOException {
    FileStat st = Posix.lstat(p);
    String owner = " " + Integer.toOctalString(st.permissions()) + " " + st.uid() + ":" + st.gid();
    if (st.isDirectory()) {
      return "dir" + owner;
    } else if (st.isRegularFile()) {
      try (InputStream in = Files.newInputStream(p)) {
        return "file" + owner + " " + st.nlink() + " " + Digest.sha256(in);
      }
    } else if (st.isSymlink()) {
      return "symlink" + owner + " -> " + Files.readSymbolicLink(p);
    }
    return "type " + Integer.toOctalString(st.type()) + owner;
  }
}
