package dev.lamina.builder.exec;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.overlay.UpperDiff;
import dev.lamina.layerfs.tar.ApplyOptions;
import dev.lamina.layerfs.tar.LayerApplier;
import dev.lamina.layerfs.tar.WhiteoutFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --squash}: the layers a build added on top of its base image become one. They are
 * applied in order onto an empty directory in overlay format, where a later layer's whiteouts
 * stay whiteouts, and that directory is written as one layer, like an overlay upper.
 */
final class Squash {
  private Squash() {}

  static BuildState squash(BuildRun run, BuildState state, int baseLayers) throws IOException {
    List<LayerRef> added = state.layers().subList(baseLayers, state.layers().size());
    if (added.size() <= 1) {
      return state;
    }
    Path dir = run.workspace.newDir("squash");
    for (LayerRef l : added) {
      Compression c = Compression.fromMediaType(l.blob().mediaType())
          .orElseThrow(() -> new BuildException("unknown layer type " + l.blob().mediaType()));
      try (InputStream in = c.decompress(new BufferedInputStream(
          run.store.blobs().open(l.blob().digest(), l.blob().size()), 65536))) {
        LayerApplier.apply(in, dir, ApplyOptions.defaults(WhiteoutFormat.overlayHere()));
      }
    }
    LayerRef squashed = run.writeLayer(UpperDiff.here().entries(dir));
    List<LayerRef> layers = new ArrayList<>(state.layers().subList(0, baseLayers));
    layers.add(squashed);
    List<dev.lamina.layerfs.digest.Digest> diffIds = new ArrayList<>();
    for (LayerRef l : layers) {
      diffIds.add(l.diffId());
    }
    // The history keeps every step; only the last one that made a layer now holds the squash.
    List<ImageConfig.History> history = new ArrayList<>(state.config().history());
    int seen = 0;
    int last = -1;
    for (int i = 0; i < history.size(); i++) {
      if (!history.get(i).isEmptyLayer()) {
        seen++;
        if (seen > baseLayers) {
          last = i;
        }
      }
    }
    seen = 0;
    for (int i = 0; i < history.size(); i++) {
      ImageConfig.History h = history.get(i);
      if (!h.isEmptyLayer()) {
        seen++;
        if (seen > baseLayers && i != last) {
          history.set(i, new ImageConfig.History(h.created(), h.createdBy(), h.author(),
              h.comment(), Boolean.TRUE));
        }
      }
    }
    ImageConfig c = state.config().withRootFs(new ImageConfig.RootFs("layers", diffIds));
    c = new ImageConfig(c.created(), c.author(), c.architecture(), c.os(), c.osVersion(),
        c.osFeatures(), c.variant(), c.config(), c.rootfs(), history);
    return new BuildState(c, layers, state.vars(), state.args(), state.cmdSet());
  }
}
