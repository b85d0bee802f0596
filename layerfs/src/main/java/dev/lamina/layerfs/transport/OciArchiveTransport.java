package dev.lamina.layerfs.transport;

import dev.lamina.layerfs.compress.UncompressedDigester;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.store.OutputFiles;
import dev.lamina.layerfs.store.BlobStore;
import dev.lamina.layerfs.store.BlobWriter;
import dev.lamina.layerfs.store.OciLayout;
import dev.lamina.layerfs.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/** {@code oci-archive:FILE[:REF]}: a tar of an OCI image layout. */
final class OciArchiveTransport {
  private static final Pattern BLOB = Pattern.compile("blobs/([a-z0-9]+)/([a-f0-9]+)");
  private static final byte[] LAYOUT =
      "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

  private OciArchiveTransport() {}

  /**
   * Streams the archive into the store. Only {@code oci-layout}, {@code index.json} and {@code
   * blobs/<alg>/<hex>} (plus their directories) are accepted: a blob streams straight into the
   * store, verified against the digest its name promises, and nothing is ever extracted to a path
   * taken from the archive.
   */
  static List<ImageTransports.Source.Found> read(Store store, ImageLocation from)
      throws IOException {
    byte[] layoutFile = null;
    byte[] indexFile = null;
    Map<Digest, Digest> uncompressed = new HashMap<>();
    try (ArchiveInput in = ArchiveInput.open(from.file(), "oci-archive")) {
      for (TarArchiveEntry e = in.next(); e != null; e = in.next()) {
        String name = ArchiveInput.clean(e.getName());
        if (e.isDirectory()) {
          if (name.isEmpty() || name.equals("blobs") || BLOB_DIR.matcher(name).matches()) {
            continue;
          }
          throw in.error("unexpected directory " + name);
        }
        if (!ArchiveInput.isRegularFile(e)) {
          throw in.error("unexpected entry " + name + " (only regular files are accepted)");
        }
        Matcher blob = BLOB.matcher(name);
        if (name.equals("oci-layout")) {
          layoutFile = Json.readCapped(in.content());
        } else if (name.equals("index.json")) {
          indexFile = Json.readCapped(in.content());
        } else if (blob.matches() && Digest.isValid(blob.group(1) + ":" + blob.group(2))) {
          Digest digest = Digest.parse(blob.group(1) + ":" + blob.group(2));
          BlobStore blobs = store.blobs();
          if (!(blobs.exists(digest) && blobs.size(digest) == e.getSize())) {
            Descriptor d = Descriptor.of("application/octet-stream", digest, e.getSize());
            // Which blobs are layers is known only once index.json is read, and it may come
            // last: every blob is measured decompressed on its way in, and the measure kept.
            try (UncompressedDigester unpacked =
                    UncompressedDigester.start(d, digest.algorithm());
                BlobWriter w = blobs.newWriter(digest.algorithm())) {
              in.content().transferTo(unpacked.alongside(w));
              w.commit(digest, e.getSize());
              try {
                uncompressed.put(digest, unpacked.finish());
              } catch (IOException notALayer) {
                // Checked below only if some config names it as a layer.
              }
            }
          }
        } else {
          throw in.error("unexpected entry " + name);
        }
      }
      if (layoutFile == null || indexFile == null) {
        String missing = layoutFile == null ? "oci-layout" : "index.json";
        throw in.error("not an OCI archive (no " + missing + ")");
      }
      String version = Json.readTree(layoutFile).path("imageLayoutVersion").asText("");
      if (!version.equals("1.0.0")) {
        throw in.error("unsupported imageLayoutVersion \"" + version + "\"");
      }
      Index index = Json.readIndex(indexFile, MediaType.OCI_INDEX);
      List<ImageTransports.Source.Found> found =
          ImageTransports.Source.select(index.manifests(), from.ref(), from);
      for (ImageTransports.Source.Found f : found) {
        // Everything the image needs must now be in the store, and intact.
        for (Descriptor d : ImageGraph.blobs(store.blobs(), f.target()).values()) {
          if (!store.blobs().exists(d.digest())) {
            throw in.error("blob " + d.digest() + " is missing from the archive");
          }
          if (store.blobs().size(d.digest()) != d.size()) {
            throw in.error("blob " + d.digest() + " has the wrong size");
          }
        }
        Map<Digest, Descriptor> all = ImageGraph.blobs(store.blobs(), f.target());
        for (Map.Entry<Digest, Digest> layer :
            ImageGraph.diffIds(store.blobs(), f.target()).entrySet()) {
          Descriptor d = all.get(layer.getKey());
          Digest measured = uncompressed.get(layer.getKey());
          if (measured != null) {
            UncompressedDigester.requireDiffId(d, measured, layer.getValue());
          } else {
            try (InputStream stored = store.blobs().open(d.digest(), d.size())) {
              UncompressedDigester.check(stored, d, layer.getValue());
            }
          }
        }
      }
      return found;
    }
  }

  private static final Pattern BLOB_DIR = Pattern.compile("blobs/[a-z0-9]+");

  /** Writes a new archive of {@code items}, replacing {@code to}'s file atomically. */
  static void write(Store store, List<ImageTransports.Sink.Item> items, ImageLocation to)
      throws IOException {
    OutputFiles.write(to.file(), archive(store, items)::writeTo);
  }

  /** The archive of {@code items}, written when asked to. */
  static ReproducibleTar archive(Store store, List<ImageTransports.Sink.Item> items)
      throws IOException {
    ReproducibleTar tar = new ReproducibleTar();
    tar.add("oci-layout", LAYOUT);
    Index index = Index.of(List.of());
    Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
    for (ImageTransports.Sink.Item item : items) {
      blobs.putAll(ImageGraph.blobs(store.blobs(), item.target()));
      if (item.names().isEmpty()) {
        List<Descriptor> next = new ArrayList<>(index.manifests());
        next.add(item.target());
        index = index.withManifests(next);
      }
      for (String name : item.names()) {
        index = OciLayout.withName(index, name, item.target());
      }
    }
    tar.add("index.json", Json.toBytes(index));
    addBlobs(tar, store.blobs(), blobs.values());
    return tar;
  }

  /** Adds each blob as {@code blobs/<alg>/<hex>}, read verified when the archive is written. */
  static void addBlobs(ReproducibleTar tar, BlobStore blobs, Iterable<Descriptor> descriptors) {
    for (Descriptor d : descriptors) {
      tar.add(
          "blobs/" + d.digest().algorithm().id() + "/" + d.digest().hex(),
          d.size(),
          () -> blobs.open(d.digest(), d.size()));
    }
  }
}
