package dev.lamina.layerfs.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.store.BlobWriter;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.tar.ContentSource;
import dev.lamina.layerfs.tar.LayerDigests;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.Layers;
import dev.lamina.layerfs.tar.UnmappedOwnerException;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A layer with an entry owned by an id its user namespace does not map (a rootless store whose
 * user has no subordinate ids): the kernel refuses the owner with EINVAL, and the extraction
 * fails with one line naming the entry and the ids, wherever the owner is given (on the
 * write-behind thread, by descriptor, by name in a held directory, by path), leaving no layer,
 * no temporary tree and no descriptor behind.
 *
 * <p>The extraction runs in a JVM of its own started by {@code unshare --user --map-root-user}:
 * a namespace mapping uid and gid 0 alone (a multithreaded JVM cannot enter one itself).
 */
class UnmappedOwnerTest {
  private static final int UNMAPPED = 4242;
  private static final byte[] SMALL = "small".getBytes(StandardCharsets.UTF_8);
  /** Larger than what the write-behind thread takes: written by the extraction's thread. */
  private static final byte[] LARGE = new byte[300 * 1024];

  /** Where the owner is given, and the layer that gets there. */
  enum Case {
    /** A small file, last: its failure reaches the extraction when it flushes at the end. */
    SMALL_FILE_LAST("etc/small", List.of(
        owned(file("etc/small", SMALL)))),
    /** A small file, then a hard link: the failure reaches the extraction at the next entry. */
    SMALL_FILE_THEN_ANOTHER_ENTRY("etc/small", List.of(
        owned(file("etc/small", SMALL)),
        LayerEntry.hardlink("etc/zlink", "etc/small"))),
    LARGE_FILE("etc/large", List.of(
        owned(file("etc/large", LARGE)),
        file("etc/zz", SMALL))),
    DIRECTORY("etc/dir", List.of(
        owned(LayerEntry.directory("etc/dir")),
        file("etc/dir/inside", SMALL))),
    SYMLINK("etc/link", List.of(
        owned(LayerEntry.symlink("etc/link", "small")),
        file("etc/small", SMALL))),
    /** A file with an xattr is made by path. */
    FILE_BY_PATH("etc/attributed", List.of(
        owned(file("etc/attributed", SMALL)
            .withXattrs(Map.of("user.note", SMALL))),
        file("etc/zz", SMALL)));

    final String owned;
    final List<LayerEntry> entries;

    Case(String owned, List<LayerEntry> entries) {
      this.owned = owned;
      List<LayerEntry> all = new ArrayList<>(List.of(LayerEntry.directory("etc")));
      all.addAll(entries);
      this.entries = all;
    }
  }

  @TempDir Path tmp;
  private Store store;

  @BeforeEach
  void setUp() throws IOException {
    Requirements.root(); // a user namespace mapping the host's root, which owns the store
    store = Store.open(tmp.resolve("root"));
  }

  @ParameterizedTest
  @EnumSource(Case.class)
  void ensure_entryOwnedByAnUnmappedId_failsNamingItAndTheIds_leavingNothing(Case c)
      throws Exception {
    Path unshare = Requirements.tool("unshare");
    LayerDigests layer = layer(c.entries);

    Process p = ExtractionProcess.of(
        List.of(unshare.toString(), "--user", "--map-root-user"),
        store.root().toString(), layer.mediaType(), layer.digest().toString(),
        Long.toString(layer.size()), layer.diffId().toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);

    List<String> lines = out.lines().toList();
    assertTrue(lines.size() >= 3, out);
    assertEquals("failed " + UnmappedOwnerException.class.getName(), lines.get(0), out);
    String message = out.substring(out.indexOf('\n', out.indexOf('\n') + 1) + 1);
    // Its own entry, though a small file's failure reaches the extraction at a later one.
    assertEquals(UnmappedOwnerException.message(c.owned, UNMAPPED, UNMAPPED), message);
    assertFalse(message.contains("\n"), "one line: " + message);
    assertTrue(message.contains("'" + c.owned + "' the owner " + UNMAPPED + ":" + UNMAPPED)
        && message.contains("/etc/subuid"), message);
    assertEquals("open 0", lines.get(1), "descriptors left open");

    ExtractedLayers layers = ExtractedLayers.of(Store.open(store.root()));
    assertFalse(layers.isExtracted(layer.diffId()));
    assertFalse(Files.exists(layers.pathOf(layer.diffId())));
    try (Stream<Path> entries = Files.list(store.layersDir())) {
      assertTrue(entries.noneMatch(e -> e.getFileName().toString().startsWith(".tmp-")),
          "temporary tree removed");
    }
  }

  private LayerDigests layer(List<LayerEntry> entries) throws IOException {
    try (BlobWriter w = store.blobs().newWriter()) {
      LayerDigests d = Layers.write(entries, w, Compression.NONE, Compression.NONE.defaultLevel());
      w.commit(d.digest(), d.size());
      return d;
    }
  }

  private static LayerEntry file(String path, byte[] content) {
    return LayerEntry.regular(path, content.length, ContentSource.ofBytes(content));
  }

  private static LayerEntry owned(LayerEntry e) {
    return e.withOwner(UNMAPPED, UNMAPPED);
  }
}
