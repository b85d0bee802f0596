package dev.lamina.layerfs.overlay;

import dev.lamina.layerfs.tar.ApplyOptions;
import dev.lamina.layerfs.tar.LayerApplier;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.layerfs.tar.WhiteoutFormat;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The fallback when kernel overlayfs cannot be used (no privilege, or an upper on a filesystem
 * overlayfs refuses): the layers copied, bottom first, into one plain directory, with their
 * whiteouts applied. Writes then go straight into that copy, which is as disposable as an upper.
 *
 * <p>Each overlay-format lower is read exactly as an upper ({@link UpperDiff}: 0:0 devices and
 * opaque markers become OCI whiteouts) and streamed through the layer writer into the safe layer
 * applier, so the copy gets every rule the applier enforces. Modification times are kept.
 */
public final class FlattenedRootfs {
  private FlattenedRootfs() {}

  /**
   * Copies {@code lowersTopFirst} into {@code target} (an empty directory).
   *
   * @throws IOException if a layer cannot be read or written
   */
  public static void assemble(List<Path> lowersTopFirst, Path target) throws IOException {
    List<Path> bottomFirst = new ArrayList<>(lowersTopFirst);
    Collections.reverse(bottomFirst);
    ApplyOptions options = ApplyOptions.defaults(WhiteoutFormat.flatten());
    for (Path lower : bottomFirst) {
      List<LayerEntry> entries = UpperDiff.here().entries(lower);
      copy(entries, target, options);
    }
  }

  private static void copy(List<LayerEntry> entries, Path target, ApplyOptions options)
      throws IOException {
    PipedInputStream in = new PipedInputStream(1 << 16);
    PipedOutputStream out = new PipedOutputStream(in);
    // The writer runs on its own thread: a pipe between two threads streams the layer without
    // holding it in memory.
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              try (out) {
                LayerWriter.preservingMtimes().write(entries, out);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    try (in) {
      LayerApplier.apply(in, target, options);
    } finally {
      try {
        writer.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while flattening layers");
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UncheckedIOException u) {
          throw u.getCause();
        }
        throw new IOException("flattening layers failed", e.getCause());
      }
    }
  }
}
