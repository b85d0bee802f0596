package dev.lamina.layerfs.transport;

import dev.lamina.layerfs.store.OciLayout;
import dev.lamina.layerfs.store.Store;
import java.io.IOException;
import java.util.List;

/** {@code oci:DIR[:REF]}: an OCI image layout directory, e.g. one skopeo or umoci wrote. */
final class OciLayoutTransport {
  private OciLayoutTransport() {}

  static List<ImageTransports.Source.Found> read(Store store, ImageLocation from)
      throws IOException {
    OciLayout layout = OciLayout.open(from.file());
    List<ImageTransports.Source.Found> found =
        ImageTransports.Source.select(layout.index().manifests(), from.ref(), from);
    for (ImageTransports.Source.Found f : found) {
      ImageGraph.copy(layout.blobs(), store.blobs(), f.target(), true);
    }
    return found;
  }

  /** Adds the images to the layout at {@code to} (created if missing) and names them there. */
  static void write(Store store, List<ImageTransports.Sink.Item> items, ImageLocation to)
      throws IOException {
    OciLayout layout = OciLayout.openOrCreate(to.file());
    for (ImageTransports.Sink.Item item : items) {
      ImageGraph.copy(store.blobs(), layout.blobs(), item.target(), false);
    }
    // Names last, all in one index update: a reader sees all of them or none.
    layout.updateIndex(
        current -> {
          var next = current;
          for (ImageTransports.Sink.Item item : items) {
            for (String name : item.names()) {
              next = OciLayout.withName(next, name, item.target());
            }
          }
          return next;
        });
  }
}
