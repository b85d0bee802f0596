package dev.lamina.layerfs.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lamina.layerfs.compress.UncompressedDigester;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.ref.Reference;
import dev.lamina.layerfs.store.OutputFiles;
import dev.lamina.layerfs.store.BlobInfo;
import dev.lamina.layerfs.store.BlobStore;
import dev.lamina.layerfs.store.BlobWriter;
import dev.lamina.layerfs.store.OciContent;
import dev.lamina.layerfs.store.Store;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * {@code docker-archive:FILE[:REF]}: what {@code docker save} writes and {@code docker load}
 * reads: {@code manifest.json} ({@code [{Config, RepoTags, Layers}]}) naming a config and layer
 * tars by their paths in the archive.
 *
 * <p>Loading keeps every blob as it is in the archive (a layer may be gzipped), so the config
 * digest and diff_ids are unchanged; each layer's diff_id is checked against its decompressed
 * bytes. The store gets an OCI manifest over those blobs. Saving writes uncompressed layers named
 * by their diff_id, as {@code docker save} does.
 */
final class DockerArchiveTransport {
  private static final Pattern NAMED_BY_DIGEST =
      Pattern.compile("(?:blobs/sha256/([a-f0-9]{64}))|(?:([a-f0-9]{64})(?:\\.json|\\.tar)?)");
  private static final Pattern LEGACY_METADATA = Pattern.compile("[^/]+/(?:json|VERSION)");

  private DockerArchiveTransport() {}

  static List<ImageTransports.Source.Found> read(Store store, ImageLocation from)
      throws IOException {
    BlobStore blobs = store.blobs();
    Map<String, BlobInfo> files = new HashMap<>();
    // Which files are layers is known only once manifest.json is read, and it may come last:
    // every file is measured decompressed on its way into the store.
    Map<Digest, LayerDigests.Uncompressed> measured = new HashMap<>();
    Map<String, String> links = new HashMap<>();
    byte[] manifestJson = null;
    try (ArchiveInput in = ArchiveInput.open(from.file(), "docker-archive")) {
      for (TarArchiveEntry e = in.next(); e != null; e = in.next()) {
        String name = ArchiveInput.clean(e.getName());
        if (e.isDirectory()) {
          continue;
        }
        if (e.isSymbolicLink()) {
          // Legacy archives link <id>/layer.tar to ../<hex>.tar; resolved by name, never on disk.
          links.put(name, resolveLink(name, e.getLinkName()));
        } else if (e.isLink()) {
          links.put(name, ArchiveInput.clean(e.getLinkName()));
        } else if (!ArchiveInput.isRegularFile(e)) {
          throw in.error("unexpected entry " + name + " (not a file, directory or link)");
        } else if (name.equals("manifest.json")) {
          manifestJson = Json.readCapped(in.content());
        } else if (name.equals("repositories")
            || name.equals("index.json")
            || name.equals("oci-layout")
            || LEGACY_METADATA.matcher(name).matches()) {
          continue; // metadata Lamina does not need (manifest.json says it all)
        } else {
          BlobInfo blob;
          try (UncompressedDigester u =
                  UncompressedDigester.start("archive entry " + name, DigestAlgorithm.SHA256);
              BlobWriter w = blobs.newWriter()) {
            in.content().transferTo(u.alongside(w));
            blob = w.commit();
            try {
              Digest diffId = u.finish();
              measured.put(blob.digest(), new LayerDigests.Uncompressed(
                  LayerCompression.valueOf(u.compression().name()), diffId,
                  u.uncompressedSize()));
            } catch (IOException notALayer) {
              // Measured again below, and refused, only if the manifest names it as a layer.
            }
          }
          checkNamedDigest(name, blob.digest());
          files.put(name, blob);
        }
      }
      if (manifestJson == null) {
        throw in.error("not a docker archive (no manifest.json)");
      }
      JsonNode entries = Json.readTree(manifestJson);
      if (!entries.isArray()) {
        throw in.error("manifest.json is not a list");
      }
      List<ImageTransports.Source.Found> found = new ArrayList<>();
      for (JsonNode entry : entries) {
        List<String> tags = new ArrayList<>();
        for (JsonNode t : entry.path("RepoTags")) {
          tags.add(t.asText());
        }
        if (from.ref() != null) {
          if (tags.stream().noneMatch(t -> sameName(from.ref(), t))) {
            continue;
          }
          tags = List.of(from.ref());
        }
        BlobInfo config = lookup(in, files, links, entry.path("Config").asText(""));
        Descriptor configDesc = config.descriptor(MediaType.OCI_CONFIG);
        ImageConfig cfg = Json.read(blobs.readVerified(configDesc), ImageConfig.class);
        JsonNode layerNames = entry.path("Layers");
        if (layerNames.size() != cfg.diffIds().size()) {
          throw in.error(
              "image "
                  + config.digest()
                  + " lists "
                  + layerNames.size()
                  + " layers but its config has "
                  + cfg.diffIds().size()
                  + " diff_ids");
        }
        List<Descriptor> layers = new ArrayList<>();
        for (int i = 0; i < layerNames.size(); i++) {
          String layerName = layerNames.get(i).asText("");
          BlobInfo layer = lookup(in, files, links, layerName);
          Descriptor raw = layer.descriptor(MediaType.OCI_LAYER);
          LayerDigests.Uncompressed u = measured.get(layer.digest());
          if (u == null) {
            u = LayerDigests.measure(blobs, raw);
            measured.put(layer.digest(), u);
          }
          if (!u.diffId().equals(cfg.diffIds().get(i))) {
            throw new DigestMismatchException(
                "docker-archive "
                    + from.path()
                    + ": layer "
                    + layerName
                    + " has diff_id "
                    + u.diffId()
                    + ", its config says "
                    + cfg.diffIds().get(i));
          }
          layers.add(raw.withMediaType(u.compression().ociMediaType()));
        }
        Manifest manifest = Manifest.oci(configDesc, layers);
        BlobInfo m = blobs.put(Json.toBytes(manifest));
        found.add(new ImageTransports.Source.Found(m.descriptor(MediaType.OCI_MANIFEST), tags));
      }
      if (from.ref() != null && found.isEmpty()) {
        throw in.error("no image tagged " + from.ref());
      }
      return found;
    }
  }

  private static boolean sameName(String wanted, String tag) {
    return wanted.equals(tag)
        || Reference.isValid(wanted)
            && Reference.isValid(tag)
            && Reference.parse(wanted).equals(Reference.parse(tag));
  }

  /** A name that promises a digest (blobs/sha256/HEX, HEX.json, HEX.tar) must keep it. */
  private static void checkNamedDigest(String name, Digest actual) throws DigestMismatchException {
    Matcher m = NAMED_BY_DIGEST.matcher(name);
    if (!m.matches() || name.endsWith(".tar")) {
      // <hex>.tar is named by diff_id in some writers, by digest in others: checked via diff_id.
      return;
    }
    String hex = m.group(1) != null ? m.group(1) : m.group(2);
    if (!actual.hex().equals(hex)) {
      throw new DigestMismatchException(
          "docker-archive entry " + name + " has digest " + actual + ", its name says sha256:"
              + hex);
    }
  }

  /** The archive path a symlink at {@code name} points to, or "" if it points outside. */
  private static String resolveLink(String name, String target) {
    List<String> parts = new ArrayList<>();
    if (!target.startsWith("/")) {
      String[] own = name.split("/");
      for (int i = 0; i < own.length - 1; i++) {
        parts.add(own[i]);
      }
    }
    for (String p : target.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (parts.isEmpty()) {
          return "";
        }
        parts.remove(parts.size() - 1);
      } else {
        parts.add(p);
      }
    }
    return String.join("/", parts);
  }

  private static BlobInfo lookup(
      ArchiveInput in, Map<String, BlobInfo> files, Map<String, String> links, String name)
      throws IOException {
    String n = ArchiveInput.clean(name);
    for (int hops = 0; hops < 8 && !files.containsKey(n) && links.containsKey(n); hops++) {
      n = links.get(n);
    }
    BlobInfo b = files.get(n);
    if (b == null) {
      throw in.error("manifest.json names " + name + ", which is not in the archive");
    }
    return b;
  }

  /** Writes {@code items} as one archive, replacing {@code to}'s file atomically. */
  static void write(Store store, List<ImageTransports.Sink.Item> items, ImageLocation to)
      throws IOException {
    OutputFiles.write(to.file(), archive(store, items)::writeTo);
  }

  /** The archive of {@code items}, written when asked to. */
  static ReproducibleTar archive(Store store, List<ImageTransports.Sink.Item> items)
      throws IOException {
    BlobStore blobs = store.blobs();
    ReproducibleTar tar = new ReproducibleTar();
    ArrayNode manifestJson = Json.mapper().createArrayNode();
    Map<String, Map<String, String>> repositories = new TreeMap<>();
    for (ImageTransports.Sink.Item item : items) {
      Descriptor manifestDesc = item.target();
      if (MediaType.isIndex(manifestDesc.mediaType())) {
        // A docker archive holds single-platform images: take this host's.
        manifestDesc =
            OciContent.childFor(OciContent.index(blobs, manifestDesc), Platform.host())
                .orElseThrow(
                    () ->
                        new IOException(
                            "image "
                                + item.target().digest()
                                + " has no manifest for "
                                + Platform.host()
                                + ", which a docker-archive needs"));
      }
      Manifest m = OciContent.manifest(blobs, manifestDesc);
      ImageConfig config = OciContent.config(blobs, m);
      if (config.diffIds().size() != m.layers().size()) {
        throw new IOException(
            "image " + manifestDesc.digest() + ": config and manifest disagree on layer count");
      }
      Descriptor cfg = m.config();
      String configName = "blobs/sha256/" + cfg.digest().hex();
      tar.add(configName, cfg.size(), () -> blobs.open(cfg.digest(), cfg.size()));
      ArrayNode layerNames = Json.mapper().createArrayNode();
      for (int i = 0; i < m.layers().size(); i++) {
        Descriptor layer = m.layers().get(i);
        Digest diffId = config.diffIds().get(i);
        String name = "blobs/sha256/" + diffId.hex();
        layerNames.add(name);
        if (layer.digest().equals(diffId)) {
          tar.add(name, layer.size(), () -> blobs.open(layer.digest(), layer.size()));
        } else {
          LayerDigests.Uncompressed u = LayerDigests.measure(blobs, layer);
          if (!u.diffId().equals(diffId)) {
            throw new DigestMismatchException(
                "layer " + layer.digest() + " decompresses to " + u.diffId() + ", config says "
                    + diffId);
          }
          tar.add(name, u.size(), () -> LayerDigests.openUncompressed(blobs, layer, diffId,
              u.size()));
        }
      }
      ObjectNode entry = manifestJson.addObject();
      entry.put("Config", configName);
      ArrayNode tags = entry.putArray("RepoTags");
      for (String n : item.names()) {
        tags.add(n);
        Reference ref = Reference.parse(n);
        if (!config.diffIds().isEmpty() && ref.tag() != null) {
          repositories
              .computeIfAbsent(ref.repository(), k -> new TreeMap<>())
              .put(ref.tag(), config.diffIds().get(config.diffIds().size() - 1).hex());
        }
      }
      entry.set("Layers", layerNames);
    }
    tar.add("manifest.json", Json.toBytes(manifestJson));
    tar.add("repositories", Json.toBytes(repositories));
    return tar;
  }
}
