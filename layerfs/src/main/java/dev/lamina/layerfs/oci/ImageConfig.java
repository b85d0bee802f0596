package dev.lamina.layerfs.oci;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lamina.layerfs.digest.Digest;
import java.util.ArrayList;
import java.util.List;

/**
 * An image configuration (image-spec {@code config.md}), with the Docker-compatible fields BuildKit
 * also writes (Healthcheck, OnBuild, Shell). {@code created} is kept as the RFC 3339 text it was
 * read as, so an unchanged config re-serialises to the same bytes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageConfig(
    @JsonProperty("created") String created,
    @JsonProperty("author") String author,
    @JsonProperty("architecture") String architecture,
    @JsonProperty("os") String os,
    @JsonProperty("os.version") String osVersion,
    @JsonProperty("os.features") List<String> osFeatures,
    @JsonProperty("variant") String variant,
    @JsonProperty("config") ContainerConfig config,
    @JsonProperty("rootfs") RootFs rootfs,
    @JsonProperty("history") List<History> history) {

  public ImageConfig {
    rootfs = rootfs == null ? new RootFs("layers", List.of()) : rootfs;
    config = config == null ? ContainerConfig.EMPTY : config;
    history = history == null ? null : List.copyOf(history);
  }

  /** An empty config for this host's platform, with no layers. */
  public static ImageConfig empty(String created) {
    Platform p = Platform.host();
    return new ImageConfig(
        created,
        null,
        p.architecture(),
        p.os(),
        null,
        null,
        p.variant(),
        ContainerConfig.EMPTY,
        new RootFs("layers", List.of()),
        List.of());
  }

  /** The layer diff IDs, bottom first. */
  public List<Digest> diffIds() {
    return rootfs.diffIds();
  }

  /** The platform this config declares. */
  public Platform platform() {
    return new Platform(architecture, os, osVersion, osFeatures, variant);
  }

  /** A copy with a layer appended on top, and a history entry for it. */
  public ImageConfig withLayer(Digest diffId, History entry) {
    List<Digest> ids = new ArrayList<>(rootfs.diffIds());
    ids.add(diffId);
    return withRootFs(new RootFs(rootfs.type(), ids)).withHistory(entry);
  }

  /** A copy with one more history entry. */
  public ImageConfig withHistory(History entry) {
    List<History> h = new ArrayList<>(history == null ? List.of() : history);
    h.add(entry);
    return new ImageConfig(
        created, author, architecture, os, osVersion, osFeatures, variant, config, rootfs, h);
  }

  public ImageConfig withRootFs(RootFs next) {
    return new ImageConfig(
        created, author, architecture, os, osVersion, osFeatures, variant, config, next, history);
  }

  public ImageConfig withConfig(ContainerConfig next) {
    return new ImageConfig(
        created, author, architecture, os, osVersion, osFeatures, variant, next, rootfs, history);
  }

  public ImageConfig withCreated(String next) {
    return new ImageConfig(
        next, author, architecture, os, osVersion, osFeatures, variant, config, rootfs, history);
  }

  public ImageConfig withAuthor(String next) {
    return new ImageConfig(
        created, next, architecture, os, osVersion, osFeatures, variant, config, rootfs, history);
  }

  /** The {@code rootfs} object: always type {@code layers}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RootFs(
      @JsonProperty("type") String type, @JsonProperty("diff_ids") List<Digest> diffIds) {
    public RootFs {
      type = type == null ? "layers" : type;
      diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
    }
  }

  /** One history entry; {@code emptyLayer} marks steps that added no layer. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record History(
      @JsonProperty("created") String created,
      @JsonProperty("created_by") String createdBy,
      @JsonProperty("author") String author,
      @JsonProperty("comment") String comment,
      @JsonProperty("empty_layer") Boolean emptyLayer) {

    @JsonIgnore
    public boolean isEmptyLayer() {
      return Boolean.TRUE.equals(emptyLayer);
    }
  }
}
