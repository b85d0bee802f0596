package dev.lamina.runner.image;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.overlay.MountPoints;
import dev.lamina.layerfs.overlay.UpperDiff;
import dev.lamina.layerfs.store.BlobInfo;
import dev.lamina.layerfs.store.BlobWriter;
import dev.lamina.layerfs.store.ImageNotFoundException;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Images.ResolvedImage;
import dev.lamina.layerfs.store.Lease;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.runner.internal.JsonFiles;
import dev.lamina.runner.spec.RuntimeSpec;
import dev.lamina.runner.spec.RuntimeSpecCodec;
import dev.lamina.runner.ContainerException;
import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.Containers;
import dev.lamina.runner.RootfsAssembly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import dev.lamina.layerfs.oci.Timestamps;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@code commit}: a container's writes (its overlay upper) become one new layer on top of its
 * image, as {@code docker commit} does. The layer is written as every layer Lamina writes
 * (sorted, numeric owners, the files' own times; clamped to {@code SOURCE_DATE_EPOCH} when given);
 * a running container is committed as it is at that moment (it is not paused), so a file that
 * changes while it is read makes the commit fail rather than store a torn file.
 */
public final class ContainerCommit {
  private final Store store;
  private final Containers containers;

  public ContainerCommit(Store store, Containers containers) {
    this.store = store;
    this.containers = containers;
  }

  /** Where the container's runtime spec mounts things (they are not the container's changes). */
  private List<String> mountDestinations(String ref) throws IOException {
    RuntimeSpec spec =
        JsonFiles.read(containers.bundle(ref).resolve("config.json"), RuntimeSpecCodec.INSTANCE);
    return spec.mounts().stream().map(RuntimeSpec.Mount::destination).toList();
  }

  /** What to record besides the layer. */
  public record Options(
      String comment, String author, UnaryOperator<ContainerConfig> changes, String sourceDateEpoch) {
    public static Options defaults() {
      return new Options(null, null, UnaryOperator.identity(), null);
    }
  }

  /**
   * Commits container {@code ref} as a new image named {@code names} (none gives an unnamed
   * image, found by its id).
   *
   * @throws ContainerException if there is no such container, or it has no overlay upper
   * @throws ImageNotFoundException if the container's image was removed from the store
   * @throws IOException if the upper cannot be read (e.g. redirect_dir) or the store written
   */
  public ResolvedImage commit(String ref, List<String> names, Options options) throws IOException {
    ContainerRecord record = containers.inspect(ref);
    Path upper = containers.bundle(ref).resolve("upper");
    if (!Files.isDirectory(upper)
        || RootfsAssembly.isFlattened(containers.bundle(ref))) {
      throw new ContainerException(
          "cannot commit "
              + record.name()
              + ": it runs on a flattened copy of its layers (overlayfs was not usable), which"
              + " keeps no record of its changes");
    }
    ImageDetails base = store.images().inspect(record.imageId());
    // The container's files keep their times, as docker commit keeps them; SOURCE_DATE_EPOCH
    // clamps them and is the image's time.
    LayerWriter writer = LayerWriter.withSourceDateEpoch(options.sourceDateEpoch());
    Instant now = writer.epoch().orElseGet(() -> Instant.now().truncatedTo(ChronoUnit.MILLIS));
    try (Lease lease = store.lease();
        BlobWriter blob = store.blobs().newWriter()) {
      Set<String> artifacts = MountPoints.createdIn(upper, mountDestinations(ref));
      // The layer is uncompressed: the blob is the tar, so the writer's digest is the diff_id.
      writer.write(RootfsAssembly.upperDiff(upper.getParent()).entries(upper, artifacts), blob);
      BlobInfo layer = blob.commit();
      String when = Timestamps.format(now);
      ImageConfig config =
          base.config()
              .withCreated(when)
              .withConfig(options.changes().apply(base.config().config()))
              .withLayer(
                  layer.digest(),
                  new ImageConfig.History(
                      when,
                      "lamina commit " + String.join(" ", record.command()),
                      options.author(),
                      options.comment(),
                      null));
      if (options.author() != null) {
        config = config.withAuthor(options.author());
      }
      List<Descriptor> layers = new ArrayList<>(base.manifest().layers());
      layers.add(layer.descriptor(Compression.NONE.layerMediaType()));
      ResolvedImage image = store.images().write(config, layers, names.toArray(String[]::new));
      // Docker reports a commit as the container's event, naming the image it made.
      java.util.Map<String, String> attrs = new java.util.TreeMap<>();
      attrs.put("name", record.name());
      attrs.put("imageID", image.id().toString());
      if (!image.names().isEmpty()) {
        attrs.put("imageName", image.names().get(0));
      }
      store.events().event(
          dev.lamina.layerfs.events.Event.now(
              dev.lamina.layerfs.events.Event.CONTAINER, "commit", record.id(), attrs));
      return image;
    }
  }
}
