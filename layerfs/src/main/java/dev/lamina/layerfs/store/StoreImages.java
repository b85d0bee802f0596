package dev.lamina.layerfs.store;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.ref.Reference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** {@link Images} over a store's OCI layout. */
final class StoreImages implements Images {
  private static final Pattern FULL_HEX = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHORT_ID = Pattern.compile("(?:sha256:)?[a-f0-9]{1,64}");

  private final Store store;
  private final OciLayout layout;
  private final BlobStore blobs;
  private final ImageUsage usage;
  private final PruneHook released;

  StoreImages(Store store, ImageUsage usage, PruneHook released) {
    this.store = store;
    this.layout = store.layout();
    this.blobs = store.blobs();
    this.usage = usage;
    this.released = released;
  }

  /** The named entries of index.json grouped by target digest, names in index order. */
  private Map<Digest, Entry> entries() throws IOException {
    Map<Digest, Entry> out = new LinkedHashMap<>();
    for (Descriptor d : layout.index().manifests()) {
      String name = d.annotation(Descriptor.REF_NAME);
      if (name == null) {
        continue;
      }
      out.computeIfAbsent(d.digest(), k -> new Entry(d.withoutAnnotations(), new ArrayList<>()))
          .names()
          .add(name);
    }
    return out;
  }

  private record Entry(Descriptor target, List<String> names) {}

  /** The id of a target: its config digest, or its own digest for an index or unreadable one. */
  private Digest idOf(Descriptor target) {
    if (MediaType.isManifest(target.mediaType())) {
      try {
        return OciContent.manifest(blobs, target).config().digest();
      } catch (IOException e) {
        return target.digest();
      }
    }
    return target.digest();
  }

  private ResolvedImage resolved(Entry e) {
    return new ResolvedImage(e.target(), idOf(e.target()), e.names());
  }

  @Override
  public List<ImageSummary> list() throws IOException {
    List<ImageSummary> out = new ArrayList<>();
    for (Entry e : entries().values()) {
      Digest id = idOf(e.target());
      String created = null;
      long size = 0;
      try {
        ImageDetails details = details(resolved(e), Platform.host());
        created = details.config() == null ? null : details.config().created();
      } catch (IOException damaged) {
        // listed anyway: `images` must still show a damaged image so it can be removed
      }
      Reachability r = Reachability.from(blobs, List.of(e.target()));
      for (Descriptor d : r.reached().values()) {
        size += d.size();
      }
      for (String name : e.names()) {
        Reference ref = Reference.parse(name);
        out.add(
            new ImageSummary(
                ref.repository(),
                ref.tag() == null ? "<none>" : ref.tag(),
                id,
                e.target().digest(),
                created,
                size));
      }
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  @Override
  public ResolvedImage resolve(String image) throws IOException {
    // Whitespace only: a NUL or another control character is never part of a name.
    String text = image.strip();
    Map<Digest, Entry> entries = entries();
    // 1. A full digest: an id or a manifest digest.
    Digest full = fullDigest(text);
    if (full != null) {
      for (Entry e : entries.values()) {
        if (e.target().digest().equals(full) || idOf(e.target()).equals(full)) {
          return resolved(e);
        }
      }
      throw new ImageNotFoundException("no image with id or digest " + full);
    }
    // 2. A name, or name@digest; a short name also under any registry.
    Match named = byName(text, entries);
    if (named != null) {
      return resolved(named.entry());
    }
    if (Reference.isValid(text) && Reference.parse(text).digest() != null) {
      throw new ImageNotFoundException("no image " + Reference.parse(text));
    }
    // 3. A short id (or short manifest digest).
    if (SHORT_ID.matcher(text).matches()) {
      String prefix = text.startsWith("sha256:") ? text.substring(7) : text;
      Set<Entry> matches = new LinkedHashSet<>();
      for (Entry e : entries.values()) {
        if (idOf(e.target()).hex().startsWith(prefix)
            || e.target().digest().hex().startsWith(prefix)) {
          matches.add(e);
        }
      }
      if (matches.size() == 1) {
        return resolved(matches.iterator().next());
      }
      if (matches.size() > 1) {
        throw new ImageNotFoundException("short id " + text + " matches several images");
      }
    }
    throw new ImageNotFoundException("no such image: " + image);
  }

  /** An entry found by one of its names, and that name. */
  private record Match(Entry entry, String name) {}

  /**
   * The entry {@code text} names, as podman finds it: the full name ({@code hello} is {@code
   * localhost/hello:latest}); else, for a short name, the same repository path and tag under any
   * registry ({@code alpine:3} finds {@code docker.io/library/alpine:3}). Null if none.
   *
   * @throws IOException if a short name matches several images
   */
  private static Match byName(String text, Map<Digest, Entry> entries) throws IOException {
    if (!Reference.isValid(text)) {
      return null;
    }
    Reference ref = Reference.parse(text);
    if (ref.digest() != null) {
      for (Entry e : entries.values()) {
        if (!e.target().digest().equals(ref.digest())) {
          continue;
        }
        for (String n : e.names()) {
          Reference stored = Reference.parse(n);
          if (stored.repository().equals(ref.repository())
              || !Reference.namesRegistry(text) && underAnyRegistry(stored, ref)) {
            return new Match(e, n);
          }
        }
      }
      return null;
    }
    String name = ref.toString();
    for (Entry e : entries.values()) {
      if (e.names().contains(name)) {
        return new Match(e, name);
      }
    }
    if (!!Reference.namesRegistry(text)) {
      return null;
    }
    Map<Digest, Match> found = new LinkedHashMap<>();
    for (Entry e : entries.values()) {
      for (String n : e.names()) {
        Reference stored = Reference.parse(n);
        if (Objects.equals(stored.tag(), ref.tag()) && underAnyRegistry(stored, ref)) {
          found.putIfAbsent(e.target().digest(), new Match(e, n));
        }
      }
    }
    if (found.size() > 1) {
      throw new IOException("short name " + text + " matches several images: "
          + String.join(", ", found.values().stream().map(Match::name).toList())
          + "; use the full name");
    }
    return found.isEmpty() ? null : found.values().iterator().next();
  }

  /** Whether {@code stored}'s path is {@code ref}'s, or ends with it after a slash. */
  private static boolean underAnyRegistry(Reference stored, Reference ref) {
    return stored.path().equals(ref.path()) || stored.path().endsWith("/" + ref.path());
  }

  @Override
  public String nameOf(String image) throws IOException {
    Match m = byName(image.strip(), entries());
    return m == null ? null : m.name();
  }

  private static Digest fullDigest(String text) {
    if (text.startsWith("sha256:") || text.startsWith("sha512:")) {
      return Digest.isValid(text) ? Digest.parse(text) : null;
    }
    return FULL_HEX.matcher(text).matches() ? Digest.parse("sha256:" + text) : null;
  }

  @Override
  public ResolvedImage tag(String source, String newName) throws IOException {
    try (Lease lease = store.lease()) {
      ResolvedImage src = resolve(source);
      ResolvedImage named = name(src.target(), List.of(newName));
      store.events().event(imageEvent("tag", named.id(), normaliseName(newName)));
      return named;
    }
  }

  @Override
  public ResolvedImage name(Descriptor target, List<String> names) throws IOException {
    List<String> normalised = new ArrayList<>();
    for (String n : names) {
      normalised.add(normaliseName(n));
    }
    if (!blobs.exists(target.digest())) {
      throw new BlobNotFoundException(target.digest());
    }
    Descriptor plain = target.withoutAnnotations();
    layout.updateIndex(
        current -> {
          Index next = current;
          for (String n : normalised) {
            next = OciLayout.withName(next, n, plain);
          }
          return next;
        });
    return namesOf(plain);
  }

  /** An image event as docker's: the id, and the name it concerns. */
  static dev.lamina.layerfs.events.Event imageEvent(String action, Digest id, String name) {
    return dev.lamina.layerfs.events.Event.now(
        dev.lamina.layerfs.events.Event.IMAGE, action, id.toString(),
        name == null ? java.util.Map.of() : java.util.Map.of("name", name));
  }

  private ResolvedImage namesOf(Descriptor target) throws IOException {
    Entry e = entries().get(target.digest());
    return e == null ? new ResolvedImage(target, idOf(target), List.of()) : resolved(e);
  }

  /**
   * The stored form of a user's name: the full reference, with a tag and without a digest.
   *
   * @throws IllegalArgumentException if it is not a valid name for an image
   */
  static String normaliseName(String name) {
    Reference ref = Reference.parse(name);
    if (ref.digest() != null) {
      throw new IllegalArgumentException("cannot name an image with a digest: " + name);
    }
    return ref.toString();
  }

  @Override
  public RemovedImage remove(String image, boolean force) throws IOException {
    ResolvedImage target = resolve(image);
    List<String> toRemove;
    String asName = nameOf(image);
    if (asName != null && target.names().contains(asName)) {
      toRemove = List.of(asName);
    } else {
      if (target.names().size() > 1 && !force) {
        throw new IOException(
            "image "
                + image
                + " has several names ("
                + String.join(", ", target.names())
                + "); remove them one by one, or force");
      }
      toRemove = target.names();
    }
    boolean lastName = toRemove.size() == target.names().size();
    if (lastName && !force) {
      List<String> users = usage.usersOf(target.digest(), target.id());
      if (!users.isEmpty()) {
        throw new ImageInUseException(image, users);
      }
    }
    layout.updateIndex(
        current -> {
          Index next = current;
          for (String n : toRemove) {
            // Only entries still pointing at this image: a name moved meanwhile is not ours.
            if (current.manifests().stream()
                .anyMatch(d -> n.equals(d.annotation(Descriptor.REF_NAME))
                    && d.digest().equals(target.digest()))) {
              next = OciLayout.withoutName(next, n);
            }
          }
          return next;
        });
    Deletion deleted = lastName ? deleteUnreferenced(target.target()) : Deletion.NONE;
    layout.refillReserve(); // if the index write used it, there may be room again now
    for (String n : toRemove) {
      store.events().event(imageEvent("untag", target.id(), n));
    }
    if (lastName) {
      store.events().event(
          imageEvent("delete", target.id(), toRemove.isEmpty() ? null : toRemove.get(0)));
    }
    return new RemovedImage(toRemove, deleted.digests(), deleted.bytes());
  }

  /**
   * Deletes the blobs of {@code removed} that no remaining image references, if no writer holds a
   * lease right now; otherwise leaves them to prune (never blocks behind a long build).
   */
  private Deletion deleteUnreferenced(Descriptor removed) throws IOException {
    try (FileLocks.Held gc = store.tryCollecting()) {
      if (gc == null) {
        return Deletion.NONE;
      }
      List<Descriptor> roots = new ArrayList<>();
      for (Entry e : entries().values()) {
        roots.add(e.target());
      }
      if (roots.stream().anyMatch(d -> d.digest().equals(removed.digest()))) {
        return Deletion.NONE; // named again meanwhile
      }
      Set<Digest> kept = new HashSet<>(Reachability.from(blobs, roots).reached().keySet());
      Reachability gone = Reachability.from(blobs, List.of(removed));
      List<Digest> deleted = new ArrayList<>();
      long bytes = 0;
      // Children before parents: a crash half-way leaves a manifest whose children are gone (a
      // problem check reports) rather than orphans nobody can find; but the manifest is already
      // unnamed, so either order leaves only unreferenced content, which prune removes.
      List<Digest> order = new ArrayList<>(gone.reached().keySet());
      Collections.reverse(order);
      for (Digest d : order) {
        if (!kept.contains(d)) {
          long size = blobs.exists(d) ? blobs.size(d) : 0;
          if (blobs.delete(d)) {
            deleted.add(d);
            bytes += size;
          }
        }
      }
      if (released != null && !deleted.isEmpty()) {
        bytes += released.prune(store);
      }
      return new Deletion(deleted, bytes);
    }
  }

  /** Blobs an image's removal deleted, and the bytes that freed. */
  private record Deletion(List<Digest> digests, long bytes) {
    static final Deletion NONE = new Deletion(List.of(), 0);
  }

  @Override
  public ImageDetails inspect(String image) throws IOException {
    return details(resolve(image), Platform.host());
  }

  @Override
  public ImageDetails forPlatform(String image, Platform platform) throws IOException {
    ImageDetails d = details(resolve(image), platform);
    if (d.manifest() == null) {
      throw new ImageNotFoundException("image " + image + " has no manifest for " + platform);
    }
    return d;
  }

  private ImageDetails details(ResolvedImage image, Platform platform) throws IOException {
    Descriptor target = image.target();
    if (MediaType.isIndex(target.mediaType())) {
      Index index = OciContent.index(blobs, target);
      Descriptor child = OciContent.childFor(index, platform).orElse(null);
      if (child == null) {
        return new ImageDetails(image, index, null, null, null);
      }
      Manifest m = OciContent.manifest(blobs, child);
      return new ImageDetails(image, index, child, m, OciContent.config(blobs, m));
    }
    if (!MediaType.isManifest(target.mediaType())) {
      throw new IOException(
          "image " + target.digest() + " has unsupported media type " + target.mediaType());
    }
    Manifest m = OciContent.manifest(blobs, target);
    return new ImageDetails(image, null, target, m, OciContent.config(blobs, m));
  }

  @Override
  public List<HistoryEntry> history(String image) throws IOException {
    ImageDetails d = inspect(image);
    if (d.config() == null) {
      throw new ImageNotFoundException("image " + image + " has no manifest for this platform");
    }
    List<HistoryEntry> out = new ArrayList<>();
    List<Descriptor> layers = d.manifest().layers();
    int layer = 0;
    List<ImageConfig.History> history =
        d.config().history() == null ? List.of() : d.config().history();
    for (ImageConfig.History h : history) {
      Descriptor l = null;
      if (!h.isEmptyLayer() && layer < layers.size()) {
        l = layers.get(layer++);
      }
      out.add(new HistoryEntry(h.created(), h.createdBy(), h.comment(), h.isEmptyLayer(), l));
    }
    // Layers without history entries (some tools write none) still show up.
    while (layer < layers.size()) {
      out.add(new HistoryEntry(null, null, null, false, layers.get(layer++)));
    }
    Collections.reverse(out);
    return out;
  }

  @Override
  public ResolvedImage write(ImageConfig config, List<Descriptor> layers, String... names)
      throws IOException {
    if (config.diffIds().size() != layers.size()) {
      throw new IllegalArgumentException(
          "config has "
              + config.diffIds().size()
              + " diff_ids but "
              + layers.size()
              + " layers were given");
    }
    List<String> normalised = Arrays.stream(names).map(StoreImages::normaliseName).toList();
    for (Descriptor l : layers) {
      if (!MediaType.isLayer(l.mediaType())) {
        throw new IllegalArgumentException(
            "not a layer media type: " + l.mediaType() + " (" + l.digest() + ")");
      }
    }
    try (Lease lease = store.lease()) {
      for (Descriptor l : layers) {
        if (!blobs.exists(l.digest())) {
          throw new BlobNotFoundException(l.digest());
        }
      }
      BlobInfo cfg = blobs.put(Json.toBytes(config));
      Manifest manifest = Manifest.oci(cfg.descriptor(MediaType.OCI_CONFIG), layers);
      BlobInfo m = blobs.put(Json.toBytes(manifest));
      return name(m.descriptor(MediaType.OCI_MANIFEST), normalised);
    }
  }
}
