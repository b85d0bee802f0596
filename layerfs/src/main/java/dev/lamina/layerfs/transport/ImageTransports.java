package dev.lamina.layerfs.transport;

import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.ref.Reference;
import dev.lamina.layerfs.registry.RegistryOptions;
import dev.lamina.layerfs.store.Images;
import dev.lamina.layerfs.store.Lease;
import dev.lamina.layerfs.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies images between a {@link Store} and the outside: {@code load}/{@code pull} bring them in,
 * {@code save}/{@code push} take them out. Every blob that crosses is verified against its digest
 * and size; archives Lamina writes are reproducible; multi-platform images travel whole (except
 * into a docker-archive, which can only hold one platform: this host's).
 */
public final class ImageTransports {
  private ImageTransports() {}

  /**
   * Copies the image(s) at {@code from} into the store and names them. Without a REF every named
   * image at the location is loaded under its own name(s); with one, only that image.
   *
   * @param names names to give the loaded image instead of those at the location (then the
   *     location must hold exactly one image, or a REF must pick one); may be empty
   * @return the loaded images, each with the names this load gave it (in their stored form;
   *     not the names it already had in the store)
   * @throws dev.lamina.layerfs.digest.DigestMismatchException if content differs from its digest
   * @throws IOException if the location cannot be read, holds no (such) image, or an image has no
   *     name and none was given
   */
  public static List<Images.ResolvedImage> load(
      Store store, ImageLocation from, List<String> names) throws IOException {
    return load(store, from, names, RegistryOptions.defaults());
  }

  /**
   * Like {@link #load(Store, ImageLocation, List)}, with {@code registry} options for {@code
   * docker://} locations (credentials, TLS, platform, progress). A registry image is named as
   * its reference ({@code HOST/NAME:TAG}) unless {@code names} are given; one pulled by digest
   * alone needs a name.
   *
   * @throws dev.lamina.layerfs.registry.RegistryException if a registry refuses or lacks the image
   */
  public static List<Images.ResolvedImage> load(
      Store store, ImageLocation from, List<String> names, RegistryOptions registry)
      throws IOException {
    // One lease from the first blob to the last name: prune cannot take what we have copied but
    // not yet named.
    try (Lease lease = store.lease()) {
      List<Source.Found> found =
          switch (from.transport()) {
            case OCI -> OciLayoutTransport.read(store, from);
            case OCI_ARCHIVE -> OciArchiveTransport.read(store, from);
            case DOCKER_ARCHIVE -> DockerArchiveTransport.read(store, from);
            case DOCKER -> RegistryTransport.read(store, from, registry);
          };
      List<Images.ResolvedImage> out = new ArrayList<>();
      for (Source.Found f : withNames(found, names, from)) {
        Images.ResolvedImage named = store.images().name(f.target(), f.names());
        // Only the names this load gave: the image may have had others in the store already.
        List<String> given = new ArrayList<>();
        for (String n : f.names()) {
          given.add(Reference.parse(n).toString());
        }
        out.add(new Images.ResolvedImage(named.target(), named.id(),
            named.names().stream().filter(given::contains).toList()));
      }
      String action = from.transport() == ImageLocation.Transport.DOCKER ? "pull" : "load";
      for (Images.ResolvedImage r : out) {
        store.events().event(
            dev.lamina.layerfs.events.Event.now(
                dev.lamina.layerfs.events.Event.IMAGE, action, r.id().toString(),
                r.names().isEmpty() ? java.util.Map.of() : java.util.Map.of("name", r.names().get(0))));
      }
      return out;
    }
  }

  /**
   * Copies images out of the store to {@code to}. With a REF in {@code to}, exactly one image may
   * be given and it is named REF there; otherwise each image keeps the names it has in the store
   * (only the given name, when it was given by name).
   *
   * @throws dev.lamina.layerfs.store.ImageNotFoundException if an image is unknown
   * @throws IOException if the destination cannot be written, or stored content is damaged
   */
  public static void save(Store store, List<String> images, ImageLocation to) throws IOException {
    save(store, images, to, RegistryOptions.defaults());
  }

  /**
   * Like {@link #save(Store, List, ImageLocation)}, with {@code registry} options for {@code
   * docker://} destinations (credentials, TLS, compression, chunking, extra tags, progress).
   *
   * @return what the destination's name points at: for a registry the pushed manifest or index
   *     (its digest changes when layers are recompressed); otherwise the stored image
   * @throws IllegalArgumentException if several images go to one registry location
   * @throws dev.lamina.layerfs.registry.RegistryException if the registry refuses the image
   */
  public static Descriptor save(
      Store store, List<String> images, ImageLocation to, RegistryOptions registry)
      throws IOException {
    if (images.isEmpty()) {
      throw new IllegalArgumentException("no image to save");
    }
    if (to.ref() != null && images.size() > 1) {
      throw new IllegalArgumentException(
          "cannot save " + images.size() + " images under the one name in " + to);
    }
    Descriptor written = write(store, items(store, images, to.ref()), to, registry);
    String action = to.transport() == ImageLocation.Transport.DOCKER ? "push" : "save";
    recordEvents(store, images, action, to.ref() != null ? to.toString() : null);
    return written;
  }

  /** An image event per image ({@code name}: the destination's, else the image as given). */
  private static void recordEvents(Store store, List<String> images, String action, String name)
      throws IOException {
    for (String image : images) {
      Images.ResolvedImage r = store.images().resolve(image);
      store.events().event(
          dev.lamina.layerfs.events.Event.now(
              dev.lamina.layerfs.events.Event.IMAGE, action, r.id().toString(),
              java.util.Map.of("name", name != null ? name : image)));
    }
  }

  /**
   * Writes {@code images} as one archive of {@code format} ({@link
   * ImageLocation.Transport#DOCKER_ARCHIVE} or {@link ImageLocation.Transport#OCI_ARCHIVE}) to
   * {@code out}, as {@link #save} writes a file: for {@code save} to stdout.
   *
   * @throws IllegalArgumentException if {@code format} is not an archive
   * @throws dev.lamina.layerfs.store.ImageNotFoundException if an image is unknown
   * @throws IOException if stored content is damaged or {@code out} fails
   */
  public static void saveArchive(Store store, List<String> images, ImageLocation.Transport format,
      OutputStream out) throws IOException {
    if (images.isEmpty()) {
      throw new IllegalArgumentException("no image to save");
    }
    List<Sink.Item> items = items(store, images, null);
    switch (format) {
      case DOCKER_ARCHIVE -> DockerArchiveTransport.archive(store, items).writeTo(out);
      case OCI_ARCHIVE -> OciArchiveTransport.archive(store, items).writeTo(out);
      default -> throw new IllegalArgumentException(format.prefix() + " is not an archive");
    }
    out.flush();
    recordEvents(store, images, "save", null);
  }

  /** Each image with the names it gets: {@code ref}, else the one it was named by, else all. */
  private static List<Sink.Item> items(Store store, List<String> images, String ref)
      throws IOException {
    List<Sink.Item> items = new ArrayList<>();
    for (String image : images) {
      Images.ResolvedImage r = store.images().resolve(image);
      List<String> names;
      String named = store.images().nameOf(image);
      if (ref != null) {
        names = List.of(ref);
      } else if (named != null && r.names().contains(named)) {
        names = List.of(named);
      } else {
        names = r.names();
      }
      items.add(new Sink.Item(r.target(), names));
    }
    return items;
  }

  private static Descriptor write(
      Store store, List<Sink.Item> items, ImageLocation to, RegistryOptions registry)
      throws IOException {
    switch (to.transport()) {
      case OCI -> OciLayoutTransport.write(store, items, to);
      case OCI_ARCHIVE -> OciArchiveTransport.write(store, items, to);
      case DOCKER_ARCHIVE -> DockerArchiveTransport.write(store, items, to);
      case DOCKER -> {
        return RegistryTransport.write(store, items, to, registry);
      }
    }
    return items.get(0).target();
  }

  /**
   * Copies the image {@code target} (a manifest or index in the store, named or not, such as an
   * untagged build's) to the file or layout {@code to}, under {@code names} there (may be empty).
   *
   * @throws IllegalArgumentException for a registry destination (push by name)
   * @throws IOException if the destination cannot be written, or stored content is damaged
   */
  public static void save(Store store, Descriptor target, List<String> names, ImageLocation to)
      throws IOException {
    if (to.transport() == ImageLocation.Transport.DOCKER) {
      throw new IllegalArgumentException("push an image to a registry by name: " + to);
    }
    List<String> there = to.ref() != null ? List.of(to.ref()) : names;
    write(store, List.of(new Sink.Item(target.withoutAnnotations(), there)), to,
        RegistryOptions.defaults());
  }

  /** Applies the caller's names, and refuses images left without any. */
  private static List<Source.Found> withNames(
      List<Source.Found> found, List<String> names, ImageLocation from) throws IOException {
    if (found.isEmpty()) {
      throw new IOException("no image found at " + from);
    }
    if (names != null && !names.isEmpty()) {
      if (found.size() != 1) {
        throw new IOException(
            from + " holds " + found.size() + " images; pick one with :REF to name it");
      }
      return List.of(new Source.Found(found.get(0).target(), names));
    }
    for (Source.Found f : found) {
      if (f.names().isEmpty()) {
        throw new IOException(
            "an image at " + from + " (" + f.target().digest() + ") has no name; give it one");
      }
    }
    return found;
  }

  /** Shapes shared by the readers. */
  static final class Source {
    private Source() {}

    /** An image found at a location: its manifest or index, and the names it had there. */
    record Found(Descriptor target, List<String> names) {}

    /**
     * Groups the entries of a layout's index.json into images (same digest, several names),
     * picking the one named {@code ref} when it is given.
     */
    static List<Found> select(List<Descriptor> entries, String ref, ImageLocation where)
        throws IOException {
      Map<String, List<String>> byDigest = new LinkedHashMap<>();
      Map<String, Descriptor> targets = new LinkedHashMap<>();
      for (Descriptor d : entries) {
        String name = d.annotation(Descriptor.REF_NAME);
        if (ref != null && !sameName(ref, name)) {
          continue;
        }
        String key = d.digest().toString();
        targets.putIfAbsent(key, d.withoutAnnotations());
        List<String> names = byDigest.computeIfAbsent(key, k -> new ArrayList<>());
        if (name != null) {
          names.add(ref != null ? ref : name);
        }
      }
      if (ref != null && targets.isEmpty()) {
        throw new IOException("no image named " + ref + " in " + where);
      }
      List<Found> out = new ArrayList<>();
      targets.forEach((k, d) -> out.add(new Found(d, List.copyOf(byDigest.get(k)))));
      return out;
    }

    private static boolean sameName(String wanted, String name) {
      if (name == null) {
        return false;
      }
      if (wanted.equals(name)) {
        return true;
      }
      return Reference.isValid(wanted)
          && Reference.isValid(name)
          && Reference.parse(wanted).equals(Reference.parse(name));
    }
  }

  /** Shapes shared by the writers. */
  static final class Sink {
    private Sink() {}

    /** An image to write and the names it gets there. */
    record Item(Descriptor target, List<String> names) {}
  }
}
