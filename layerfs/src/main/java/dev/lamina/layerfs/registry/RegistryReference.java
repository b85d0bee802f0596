package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.ref.Reference;
import java.util.Objects;

/**
 * An image in a registry: {@code HOST[:PORT]/NAME[:TAG][@DIGEST]}, as after {@code docker://}. As
 * in Docker and skopeo, a name without a registry host is on Docker Hub ({@code busybox} is {@code
 * docker.io/library/busybox:latest}).
 *
 * @param registry the registry as named, e.g. {@code 127.0.0.1:5000} or {@code docker.io}
 * @param repository the repository inside it, e.g. {@code library/busybox}
 * @param tag the tag, or null when only a digest is given
 * @param digest the manifest digest, or null
 */
public record RegistryReference(String registry, String repository, String tag, Digest digest) {
  /** Docker Hub's name in references. */
  public static final String DOCKER_HUB = "docker.io";

  public RegistryReference {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
    if (tag == null && digest == null) {
      tag = Reference.DEFAULT_TAG;
    }
  }

  /**
   * Parses the part after {@code docker://}.
   *
   * @throws IllegalArgumentException with a one-line reason if it is not a valid reference
   */
  public static RegistryReference parse(String text) {
    Objects.requireNonNull(text, "registry reference");
    boolean hasHost = Reference.namesRegistry(text);
    String full = hasHost ? text : DOCKER_HUB + "/" + (text.contains("/") ? "" : "library/") + text;
    Reference r = Reference.parse(full);
    String registry = r.domain().equals("index.docker.io") ? DOCKER_HUB : r.domain();
    // As docker: an official image is under library/ whether or not the name says so.
    String path = registry.equals(DOCKER_HUB) && !r.path().contains("/")
        ? "library/" + r.path() : r.path();
    return new RegistryReference(registry, path, r.tag(), r.digest());
  }

  /** What addresses the manifest: the digest when there is one, else the tag. */
  public String manifestReference() {
    return digest != null ? digest.toString() : tag;
  }

  /** The same repository with another tag and no digest. */
  public RegistryReference withTag(String newTag) {
    return new RegistryReference(registry, repository, newTag, null);
  }

  /** The same repository at {@code newDigest}. */
  public RegistryReference withDigest(Digest newDigest) {
    return new RegistryReference(registry, repository, null, newDigest);
  }

  /** {@code registry/repository}. */
  public String name() {
    return registry + "/" + repository;
  }

  /**
   * The host and port HTTP requests go to: Docker Hub's API lives at {@code registry-1.docker.io}.
   */
  public String endpoint() {
    return registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
  }

  /** The name a pulled image gets in the store, or null when only a digest was given. */
  public String storeName() {
    return tag == null ? null : Reference.parse(name() + ":" + tag).toString();
  }

  @Override
  public String toString() {
    return name() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
  }
}
