package dev.lamina.layerfs.transport;

import dev.lamina.layerfs.registry.RegistryException;
import dev.lamina.layerfs.registry.RegistryOptions;
import dev.lamina.layerfs.registry.RegistryReference;
import dev.lamina.layerfs.registry.UnreachableException;
import dev.lamina.layerfs.ref.Reference;
import dev.lamina.layerfs.store.ImageNotFoundException;
import dev.lamina.layerfs.store.Images;
import dev.lamina.layerfs.store.Store;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Images named as a user names them, pulled as podman pulls them: a short name resolves through
 * registries.conf ({@link dev.lamina.layerfs.registry.RegistriesConf#candidates}), each candidate
 * tried in order until one registry has it; and {@link #ensure} brings an image into the store
 * for {@code run}, {@code create} and {@code FROM} as a {@link PullPolicy} says.
 */
public final class ImagePulls {
  private static final Pattern ID = Pattern.compile("(?:sha256:)?[a-f0-9]{64}");
  private static final String DOCKER = "docker://";

  private ImagePulls() {}

  /**
   * Pulls {@code reference} ({@code NAME[:TAG|@DIGEST]}, short or full, or {@code docker://...})
   * into the store, naming it as its full reference.
   *
   * @return the pulled image, with the name this pull gave it (none for a digest alone)
   * @throws dev.lamina.layerfs.registry.ShortNameException if a short name cannot be resolved
   * @throws IOException if no candidate could be pulled: the one failure, or each one's
   */
  public static Images.ResolvedImage pull(Store store, String reference, RegistryOptions options)
      throws IOException {
    return pull(store, reference, List.of(), options);
  }

  /**
   * {@link #pull(Store, String, RegistryOptions)}, naming the image {@code names} instead (when
   * not empty).
   */
  public static Images.ResolvedImage pull(Store store, String reference, List<String> names,
      RegistryOptions options) throws IOException {
    List<RegistryReference> candidates;
    boolean shortName = false;
    if (reference.startsWith(DOCKER)) {
      candidates = List.of(parse(reference.substring(DOCKER.length())));
    } else {
      try {
        candidates = options.registriesConf().candidates(reference);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(reference + ": " + e.getMessage(), e);
      }
      shortName = !Reference.namesRegistry(reference);
    }
    List<String> failures = new ArrayList<>();
    IOException last = null;
    for (RegistryReference c : candidates) {
      if (shortName) {
        options.progress().message("Trying to pull " + c + "...");
      }
      try {
        List<Images.ResolvedImage> got = ImageTransports.load(store,
            ImageLocation.parse(DOCKER + c), names, options);
        return got.get(0);
      } catch (RegistryException | UnreachableException e) {
        // The next search registry may have it.
        last = e;
        failures.add(c + ": " + e.getMessage());
      }
    }
    if (failures.size() == 1) {
      throw last;
    }
    throw new IOException("cannot pull " + reference + ": " + String.join("; ", failures));
  }

  private static RegistryReference parse(String text) {
    try {
      return RegistryReference.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(text + ": " + e.getMessage(), e);
    }
  }

  /**
   * Makes sure {@code image} is in the store, pulling it as {@code policy} says.
   *
   * @return what names the image in the store now: {@code image} when the stored one is used,
   *     else the name the pull gave (or the pulled image's id)
   * @throws ImageNotFoundException if it is not in the store and may not or cannot be pulled (an
   *     id, or {@link PullPolicy#NEVER})
   * @throws IOException if the pull fails
   */
  public static String ensure(Store store, String image, PullPolicy policy,
      RegistryOptions options) throws IOException {
    Images.ResolvedImage local;
    try {
      local = store.images().resolve(image);
    } catch (ImageNotFoundException e) {
      local = null;
    }
    if (local != null && (policy == PullPolicy.MISSING || policy == PullPolicy.NEVER)) {
      return image;
    }
    boolean pullable = !ID.matcher(image).matches() && (image.startsWith(DOCKER)
        || Reference.isValid(image));
    if (local == null && (policy == PullPolicy.NEVER || !pullable)) {
      throw new ImageNotFoundException("no such image: " + image
          + (policy == PullPolicy.NEVER && pullable ? " (and the pull policy is never)" : ""));
    }
    if (!pullable) {
      return image; // an id: nothing to ask a registry about
    }
    Images.ResolvedImage pulled;
    try {
      pulled = pull(store, image, options);
    } catch (IOException e) {
      if (policy == PullPolicy.NEWER && local != null) {
        options.progress().message("cannot check for a newer " + image + " (" + e.getMessage()
            + "); using the stored one");
        return image;
      }
      throw e;
    }
    return pulled.names().isEmpty() ? pulled.id().toString() : pulled.names().get(0);
  }
}
