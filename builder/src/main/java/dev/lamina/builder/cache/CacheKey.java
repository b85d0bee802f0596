package dev.lamina.builder.cache;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.Hasher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The key of one cached build step: a digest over typed, length-prefixed fields, so that no two
 * different field lists hash alike ({@code "ab","c"} differs from {@code "a","bc"}). Besides the
 * digest a key keeps its fields as readable text, which {@code --explain-cache} compares with the
 * fields of the closest earlier key.
 *
 * <p>Keys are made of content only: the parent's layer chain, the instruction after expansion,
 * and the digests and layer metadata of the files a step reads. Never a modification time or an
 * absolute host path, so the same build on another machine or in another directory hits.
 */
public final class CacheKey {
  /** Bumped when the meaning of a key's fields changes, so that old records stop matching. */
  static final String VERSION = "lamina-build-cache-v1";

  private final Digest digest;
  private final List<String> fields;

  private CacheKey(Digest digest, List<String> fields) {
    this.digest = digest;
    this.fields = List.copyOf(fields);
  }

  /** A builder for the key of a step of kind {@code kind} ({@code COPY}, {@code RUN}...). */
  public static Builder of(String kind) {
    return new Builder().field("kind", kind);
  }

  /** The key's digest: the name of its cache record. */
  public Digest digest() {
    return digest;
  }

  /** The fields as {@code name=value} lines, in the order they were added. */
  public List<String> fields() {
    return fields;
  }

  @Override
  public String toString() {
    return digest.toString();
  }

  /** Collects a key's fields. */
  public static final class Builder {
    private final Hasher hasher = DigestAlgorithm.SHA256.newHasher();
    private final List<String> fields = new ArrayList<>();

    private Builder() {
      put(VERSION);
    }

    /** Adds a named text field. */
    public Builder field(String name, String value) {
      put(name);
      put(value == null ? "\u0000null" : value);
      fields.add(name + "=" + (value == null ? "" : value));
      return this;
    }

    /** Adds a named digest field. */
    public Builder field(String name, Digest value) {
      return field(name, value == null ? null : value.toString());
    }

    /** Adds a list field, element by element. */
    public Builder field(String name, List<String> values) {
      put(name);
      put(Integer.toString(values.size()));
      for (String v : values) {
        put(v);
      }
      fields.add(name + "=" + values);
      return this;
    }

    /** Adds a map field in key order (the map's own order never matters). */
    public Builder field(String name, Map<String, String> values) {
      List<String> flat = new ArrayList<>();
      new TreeMap<>(values).forEach((k, v) -> flat.add(k + "=" + v));
      return field(name, flat);
    }

    /** The finished key. */
    public CacheKey build() {
      return new CacheKey(hasher.digest(), fields);
    }

    private void put(String s) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      byte[] len = Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII);
      hasher.update(len, 0, len.length);
      hasher.update((byte) ':');
      hasher.update(bytes, 0, bytes.length);
    }
  }
}
