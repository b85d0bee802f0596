package dev.lamina.layerfs.overlay;

import dev.lamina.layerfs.tar.ApplyOptions;
import dev.lamina.layerfs.tar.LayerApplier;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.layerfs.tar.WhiteoutFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
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
    // The writer runs on its own thread: a pipe between two threads streams the layer without
    // holding it in memory. An OS pipe, not PipedInputStream: the layer writer hands its bytes to
    // the stream from a thread of its own that ends before the last of them is read, and a
    // PipedInputStream whose last writing thread has ended fails the read ("Write end dead")
    // unless the pipe was closed first, which races with that thread's end.
    Pipe pipe = Pipe.open();
    InputStream in = Channels.newInputStream(pipe.source());
    OutputStream out = Channels.newOutputStream(pipe.sink());
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
