package dev.lamina.layerfs.store;

import dev.lamina.layerfs.compress.UncompressedDigester;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.digest.VerifyingInputStream;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code system check}: verifies the whole store. Every blob is re-hashed (size and digest),
 * every name is followed (manifest, config, layers, index children must be present, intact and
 * parse), every layer is decompressed on the same read and checked against the diff_id each
 * config gives it, and blobs nothing references are reported. {@link #repair()} removes what is broken.
 */
public final class StoreCheck {
  /** The kinds of problem, each reported on one line. */
  public enum Kind {
    /** A blob whose bytes do not hash to its name, or whose size differs from a descriptor's. */
    CORRUPT_BLOB,
    /** A blob some manifest, index or name references that is not in the store. */
    MISSING_BLOB,
    /** A name whose image cannot be read whole (missing, corrupt or unparseable content). */
    BROKEN_NAME,
    /** A blob nothing references (prune removes it). */
    DANGLING_BLOB,
    /** index.json itself cannot be read. */
    BROKEN_INDEX,
    /** An extracted layer whose tree differs from what its extraction left (files lost). */
    BROKEN_LAYER,
    /**
     * An extracted layer without a completion marker: extracted before markers existed, or left by
     * something else; it cannot be vouched for (a repair removes it; its next use extracts it).
     */
    UNVERIFIED_LAYER,
    /** A container directory without a record: no command shows or removes it but a repair. */
    STRAY_CONTAINER,
    /**
     * An entry of the index of container names that disagrees with the records: a name that
     * would look free, or an entry left by a killed command. A repair rebuilds the index.
     */
    CONTAINER_NAME
  }

  /** One problem: its kind, what it concerns (a digest or a name) and why. */
  public record Problem(Kind kind, String subject, String detail) {
    @Override
    public String toString() {
      return kind.name().toLowerCase(Locale.ROOT).replace('_', ' ')
          + ": "
          + subject
          + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
    }
  }

  /**
   * The outcome: problems found, in a stable order; {@code partsChecked} says how many items of
   * each other part (by its noun) were checked.
   */
  public record Result(
      List<Problem> problems,
      int blobsChecked,
      int namesChecked,
      Map<String, Integer> partsChecked) {
    public Result {
      problems = List.copyOf(problems);
      partsChecked = Collections.unmodifiableMap(new LinkedHashMap<>(partsChecked));
    }

    /** Whether nothing is wrong (dangling blobs count as wrong: they waste space). */
    public boolean isClean() {
      return problems.isEmpty();
    }

    /** Problems of one kind. */
    public List<Problem> of(Kind kind) {
      return problems.stream().filter(p -> p.kind() == kind).toList();
    }
  }

  private final Store store;
  private final BlobStore blobs;
  private final List<CheckedPart> parts = new ArrayList<>();

  StoreCheck(Store store) {
    this.store = store;
    this.blobs = store.blobs();
  }

  /** Adds another part of the store to check (and repair); returns this. */
  public StoreCheck withPart(CheckedPart part) {
    parts.add(part);
    return this;
  }

  /**
   * Checks the store without changing it. Blobs being written by another process right now may
   * show up as dangling.
   *
   * @throws IOException if the store's directories cannot be read
   */
  public Result run() throws IOException {
    return withParts(scan().result(), false);
  }

  private Result withParts(Result blobResult, boolean repair) throws IOException {
    List<Problem> problems = new ArrayList<>(blobResult.problems());
    Map<String, Integer> checked = new LinkedHashMap<>();
    for (CheckedPart part : parts) {
      CheckedPart.Findings f = part.check(repair);
      problems.addAll(f.problems());
      checked.merge(part.noun(), f.checked(), Integer::sum);
    }
    return new Result(problems, blobResult.blobsChecked(), blobResult.namesChecked(), checked);
  }

  /**
   * Checks the store and repairs it: corrupt blobs are deleted, names whose content is missing or
   * corrupt are removed, then unreferenced blobs are deleted. Holds the GC lock throughout, so it
   * waits for writers and never takes their blobs.
   *
   * @return the problems found (and dealt with); a new {@link #run()} afterwards is clean, but
   *     for what a part could not repair (a broken layer a container still uses)
   * @throws IOException if the store cannot be changed
   */
  public Result repair() throws IOException {
    try (FileLocks.Held gc = store.collecting()) {
      Scan scan = scan();
      for (Digest d : scan.corrupt) {
        blobs.delete(d);
      }
      if (!scan.brokenNames.isEmpty()) {
        store
            .layout()
            .updateIndex(
                current -> {
                  List<Descriptor> keep = new ArrayList<>();
                  for (Descriptor d : current.manifests()) {
                    String name = d.annotation(Descriptor.REF_NAME);
                    if (!scan.brokenNames.contains(name == null ? d.digest().toString() : name)) {
                      keep.add(d);
                    }
                  }
                  return current.withManifests(keep);
                });
      }
      // What is unreferenced now includes what the removed names held.
      Index index = store.layout().index();
      Set<Digest> reached = Reachability.from(blobs, index.manifests()).reached().keySet();
      for (Digest d : blobs.list()) {
        if (!reached.contains(d)) {
          blobs.delete(d);
        }
      }
      return withParts(scan.result(), true);
    }
  }

  private final class Scan {
    final List<Problem> problems = new ArrayList<>();
    final Set<Digest> corrupt = new LinkedHashSet<>();
    final Set<String> brokenNames = new LinkedHashSet<>();
    int blobCount;
    int nameCount;

    Result result() {
      return new Result(problems, blobCount, nameCount, Map.of());
    }
  }

  private Scan scan() throws IOException {
    Scan s = new Scan();
    List<Digest> all = blobs.list();
    s.blobCount = all.size();
    Map<Digest, String> hashFailures = new LinkedHashMap<>();
    Index index;
    try {
      index = store.layout().index();
    } catch (IOException e) {
      index = null;
      s.problems.add(new Problem(Kind.BROKEN_INDEX, "index.json", e.getMessage()));
    }
    Map<Digest, Descriptor> layers = index == null ? Map.of() : layers(index.manifests());
    // A layer is decompressed while it is re-hashed anyway, so its diff_id costs no extra read.
    Map<Digest, Unpacked> unpacked = new HashMap<>();
    for (Digest d : all) {
      String failure = rehash(d, layers.get(d), unpacked);
      if (failure != null) {
        hashFailures.put(d, failure);
        s.corrupt.add(d);
      }
    }
    if (index == null) {
      hashFailures.forEach((d, why) -> s.problems.add(new Problem(Kind.CORRUPT_BLOB, d + "", why)));
      return s;
    }
    Set<Digest> referenced = new HashSet<>();
    Set<Digest> missingReported = new HashSet<>();
    for (Descriptor root : index.manifests()) {
      String name = root.annotation(Descriptor.REF_NAME);
      String subject = name == null ? root.digest().toString() : name;
      s.nameCount++;
      Reachability r = Reachability.from(blobs, List.of(root));
      List<String> reasons = new ArrayList<>();
      for (Reachability.Broken b : r.broken()) {
        reasons.add(b.reason());
      }
      for (Descriptor d : r.reached().values()) {
        referenced.add(d.digest());
        if (!blobs.exists(d.digest())) {
          reasons.add("blob " + d.digest() + " is missing");
          if (missingReported.add(d.digest())) {
            s.problems.add(
                new Problem(Kind.MISSING_BLOB, d.digest().toString(), "referenced by " + subject));
          }
        } else if (s.corrupt.contains(d.digest())) {
          reasons.add("blob " + d.digest() + " is corrupt");
        } else if (MediaType.isManifest(d.mediaType())) {
          reasons.addAll(wrongDiffIds(d, unpacked));
        } else if (blobs.size(d.digest()) != d.size()) {
          reasons.add("blob " + d.digest() + " has the wrong size");
          s.corrupt.add(d.digest());
          hashFailures.put(
              d.digest(), "size " + blobs.size(d.digest()) + ", descriptor says " + d.size());
        }
      }
      if (!reasons.isEmpty()) {
        s.brokenNames.add(subject);
        s.problems.add(new Problem(Kind.BROKEN_NAME, subject, String.join("; ", dedupe(reasons))));
      }
    }
    hashFailures.forEach(
        (d, why) -> s.problems.add(new Problem(Kind.CORRUPT_BLOB, d.toString(), why)));
    for (Digest d : all) {
      if (!referenced.contains(d) && !s.corrupt.contains(d)) {
        s.problems.add(new Problem(Kind.DANGLING_BLOB, d.toString(), "nothing references it"));
      }
    }
    return s;
  }

  private static List<String> dedupe(List<String> reasons) {
    return List.copyOf(new LinkedHashSet<>(reasons));
  }

  /** The layers of the images whose configs give them a diff_id; what cannot be read is left out. */
  private Map<Digest, Descriptor> layers(List<Descriptor> roots) {
    Map<Digest, Descriptor> out = new HashMap<>();
    for (Descriptor d : Reachability.from(blobs, roots).reached().values()) {
      if (MediaType.isManifest(d.mediaType())) {
        try {
          Manifest m = OciContent.manifest(blobs, d);
          if (OciContent.diffIds(blobs, m).isPresent()) {
            m.layers().forEach(l -> out.putIfAbsent(l.digest(), l));
          }
        } catch (IOException e) {
          // Reported when the name is followed.
        }
      }
    }
    return out;
  }

  /**
   * Why the layers of {@code manifest} differ from the diff_ids its config gives them, given
   * each layer's uncompressed digest (or why it does not decompress) in {@code unpacked}.
   */
  private List<String> wrongDiffIds(Descriptor manifest, Map<Digest, Unpacked> unpacked) {
    List<String> out = new ArrayList<>();
    try {
      Manifest m = OciContent.manifest(blobs, manifest);
      List<Digest> ids = OciContent.diffIds(blobs, m).orElse(List.of());
      for (int i = 0; i < ids.size(); i++) {
        Descriptor layer = m.layers().get(i);
        Unpacked actual = unpacked.get(layer.digest());
        if (actual != null && actual.failure() != null) {
          out.add(actual.failure());
        } else if (actual != null) {
          try {
            UncompressedDigester.requireDiffId(layer, actual.digest(), ids.get(i));
          } catch (DigestMismatchException e) {
            out.add(e.getMessage());
          }
        }
      }
    } catch (IOException e) {
      out.add(e.getMessage());
    }
    return out;
  }

  /** A layer's uncompressed digest, or why it does not decompress. */
  private record Unpacked(Digest digest, String failure) {}

  /**
   * Null if the blob hashes to its name, else why not. A {@code layer} is decompressed on the
   * same read, and its uncompressed digest (or why it does not decompress) put in {@code
   * unpacked}.
   */
  private String rehash(Digest d, Descriptor layer, Map<Digest, Unpacked> unpacked)
      throws IOException {
    try (VerifyingInputStream in = blobs.open(d, -1)) {
      if (layer == null) {
        in.drainAndDigest();
        return null;
      }
      try (UncompressedDigester u = UncompressedDigester.start(layer, d.algorithm())) {
        in.transferTo(u);
        in.drainAndDigest(); // a blob that differs from its name fails here, as corrupt
        try {
          unpacked.put(d, new Unpacked(u.finish(), null));
        } catch (IOException e) {
          unpacked.put(d, new Unpacked(null, e.getMessage()));
        }
      }
      return null;
    } catch (DigestMismatchException e) {
      return e.getMessage();
    } catch (BlobNotFoundException e) {
      return null; // removed meanwhile (by prune or rmi): not a corruption
    }
  }
}
