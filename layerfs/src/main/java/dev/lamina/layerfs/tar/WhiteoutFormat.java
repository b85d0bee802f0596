package dev.lamina.layerfs.tar;

/**
 * How OCI whiteouts in a layer become files on disk: the closed set of on-disk formats.
 *
 * <ul>
 *   <li>{@link Flatten}: apply the layer onto the tree its lower layers made (a flattened rootfs);
 *       whiteouts remove what they name.
 *   <li>{@link Overlay}: extract one layer alone into an empty directory that becomes an overlayfs
 *       lower layer; whiteouts become what overlayfs reads as whiteouts.
 * </ul>
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts">OCI
 *     image-spec, whiteouts</a>
 */
public sealed interface WhiteoutFormat permits WhiteoutFormat.Flatten, WhiteoutFormat.Overlay {

  /** Apply onto an existing tree: {@code .wh.NAME} removes NAME, opaque markers hide lower data. */
  static WhiteoutFormat flatten() {
    return new Flatten();
  }

  /** Overlay lower with {@code trusted.overlay.*} attributes (overlayfs mounted by real root). */
  static WhiteoutFormat overlay() {
    return new Overlay(Overlay.TRUSTED);
  }

  /**
   * Overlay lower in the form this process's mounts read: {@code user.overlay.*} in a user
   * namespace (rootless), where overlayfs is mounted with {@code userxattr}; {@code
   * trusted.overlay.*} otherwise.
   */
  static WhiteoutFormat overlayHere() {
    return dev.lamina.layerfs.posix.Rootless.inUserNamespace()
        ? overlayInUserNamespace()
        : overlay();
  }

  /** Overlay lower with {@code user.overlay.*} attributes (overlayfs with {@code userxattr}). */
  static WhiteoutFormat overlayInUserNamespace() {
    return new Overlay(Overlay.USER);
  }

  /**
   * Applies onto an existing tree. {@code .wh.NAME} removes NAME (recursively, never following
   * links); {@code .wh..wh..opq} removes from its directory whatever the lower layers put there,
   * but never what this layer adds, in whatever order the entries come.
   */
  record Flatten() implements WhiteoutFormat {}

  /**
   * Extracts a single layer into an empty directory for use as an overlayfs lower: {@code
   * .wh.NAME} becomes a character device 0:0 named NAME, {@code .wh..wh..opq} sets {@code
   * <namespace>overlay.opaque=y} on its directory.
   *
   * @param xattrNamespace {@code "trusted."} or {@code "user."} (the latter for overlayfs mounted
   *     with {@code userxattr}, as in a user namespace)
   */
  record Overlay(String xattrNamespace) implements WhiteoutFormat {
    static final String TRUSTED = "trusted.";
    static final String USER = "user.";

    /** @throws IllegalArgumentException unless the namespace is {@code trusted.} or {@code user.} */
    public Overlay {
      if (!TRUSTED.equals(xattrNamespace) && !USER.equals(xattrNamespace)) {
        throw new IllegalArgumentException("overlay xattr namespace must be trusted. or user.");
      }
    }

    /** The prefix overlayfs reserves for itself: {@code trusted.overlay.} or {@code user.overlay.}. */
    public String overlayPrefix() {
      return xattrNamespace + "overlay.";
    }

    /** The attribute that marks a directory opaque. */
    public String opaqueXattr() {
      return overlayPrefix() + "opaque";
    }

    /**
     * The attribute that makes an empty regular file a whiteout (overlayfs 6.7+, in lower layers
     * only). Extraction never writes it: a layer's own is escaped ({@link #toDiskXattr}), and
     * whiteouts become 0:0 devices.
     */
    public String whiteoutXattr() {
      return overlayPrefix() + "whiteout";
    }

    /**
     * The on-disk name for an xattr a layer carries. An attribute in overlayfs's own namespace
     * would otherwise be read by the kernel as a whiteout, an opaque marker, a redirect or a
     * metacopy, so it is escaped the way overlayfs (Linux 6.7+) expects, which also presents it
     * unescaped through the mount: {@code trusted.overlay.X} is stored as {@code
     * trusted.overlay.overlay.X}. This follows umoci ({@code oci/layer/xattr.go}), which escapes
     * rather than drops, so a layer that ships such attributes (an image of overlay lowers) keeps
     * them. Attributes in the other namespace are not special to this mount and pass unchanged.
     */
    public String toDiskXattr(String layerXattr) {
      String prefix = overlayPrefix();
      if (layerXattr.startsWith(prefix)) {
        return prefix + "overlay." + layerXattr.substring(prefix.length());
      }
      return layerXattr;
    }
  }
}
