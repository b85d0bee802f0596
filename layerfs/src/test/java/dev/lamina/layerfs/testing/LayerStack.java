package dev.lamina.layerfs.testing;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.store.BlobWriter;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.tar.ContentSource;
import dev.lamina.layerfs.tar.LayerDigests;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.Layers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Layers as a stage's are: written as blobs into a store, extracted there in overlay format (OCI
 * whiteouts become 0:0 devices, opaque markers xattrs), and mounted with overlayfs. Needs root.
 */
public final class LayerStack implements AutoCloseable {
  private final Store store;
  private final Path work;
  private final List<Descriptor> blobs = new ArrayList<>();
  private final List<Digest> diffIds = new ArrayList<>();
  private int mounts;

  private LayerStack(Store store, Path work) {
    this.store = store;
    this.work = work;
  }

  /** An empty stack of {@code store}'s layers; mounts go under {@code work}. */
  public static LayerStack in(Store store, Path work) {
    return new LayerStack(store, work);
  }

  /** A regular file holding {@code content}. */
  public static LayerEntry file(String path, String content) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    return LayerEntry.regular(path, bytes.length, ContentSource.ofBytes(bytes));
  }

  /** Adds a layer of {@code entries} on top. */
  public LayerStack layer(LayerEntry... entries) throws IOException {
    try (BlobWriter w = store.blobs().newWriter()) {
      LayerDigests d = Layers.write(List.of(entries), w, Compression.NONE, 0);
      w.commit(d.digest(), d.size());
      return layer(d.descriptor(), d.diffId());
    }
  }

  /** Adds the store's layer {@code blob}, of {@code diffId}, on top. */
  public LayerStack layer(Descriptor blob, Digest diffId) {
    blobs.add(blob);
    diffIds.add(diffId);
    return this;
  }

  /** The layers' blobs, bottom first. */
  public List<Descriptor> blobs() {
    return List.copyOf(blobs);
  }

  /** The layers' diff_ids, bottom first. */
  public List<Digest> diffIds() {
    return List.copyOf(diffIds);
  }

  /** The layers' extracted directories, bottom first (extracted now if need be). */
  public List<Path> extracted() throws IOException {
    List<Path> out = new ArrayList<>();
    for (int i = 0; i < blobs.size(); i++) {
      out.add(ExtractedLayers.of(store).ensure(blobs.get(i), diffIds.get(i)));
    }
    return out;
  }

  /** The layers mounted with overlayfs, on a new directory. */
  public Path mount() throws IOException {
    List<Path> lowers = extracted();
    Collections.reverse(lowers);
    Path dir = Files.createDirectories(work.resolve("mount-" + ++mounts));
    Path merged = Files.createDirectories(dir.resolve("merged"));
    OverlayMount.of(lowers, Files.createDirectories(dir.resolve("upper")),
        Files.createDirectories(dir.resolve("work"))).mountOn(merged);
    return merged;
  }

  /**
   * One line per entry, in order: path, type, mode, owner, size, time, link target, xattrs and
   * content. Read as the entries come, as a layer writer reads them.
   */
  public static List<String> describe(Iterable<LayerEntry> entries) throws IOException {
    List<String> out = new ArrayList<>();
    for (LayerEntry e : entries) {
      StringBuilder s = new StringBuilder(e.path()).append(' ').append(e.type())
          .append(' ').append(Integer.toOctalString(e.mode())).append(' ').append(e.uid())
          .append(':').append(e.gid()).append(' ').append(e.size()).append(' ')
          .append(e.mtime()).append(" -> ").append(e.linkTarget());
      for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
        s.append(' ').append(x.getKey()).append('=').append(HexFormat.of().formatHex(x.getValue()));
      }
      if (e.content() != null && e.type() == dev.lamina.layerfs.tar.EntryType.REGULAR) {
        try (InputStream in = e.content().open()) {
          s.append(' ').append(Digest.sha256(in));
        }
      }
      out.add(s.toString());
    }
    return out;
  }

  /** Unmounts every mount this stack made. */
  @Override
  public void close() throws IOException {
    OverlayMount.unmountAllUnder(work);
  }
}
