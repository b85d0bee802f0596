package dev.lamina.layerfs.tar;

import java.io.IOException;

/**
 * An entry's owner that cannot be given where the layer is extracted: the user namespace does not
 * map its uid or gid (a rootless user without subordinate ids, or with too few), and the kernel
 * refuses the chown with EINVAL, which alone says nothing of why. The layer itself is valid. The
 * message is one line naming the entry, as a path inside the layer, and the ids.
 */
public final class UnmappedOwnerException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final long uid;
  private final long gid;

  /**
   * @param path the entry's path inside the layer ({@code etc/passwd})
   * @param cause the refused call
   */
  public UnmappedOwnerException(String path, long uid, long gid, Throwable cause) {
    super(message(path, uid, gid), cause);
    this.path = path;
    this.uid = uid;
    this.gid = gid;
  }

  /** The message for {@code path} and these ids. */
  public static String message(String path, long uid, long gid) {
    return "cannot give '" + LayerFormatException.printable(path) + "' the owner " + uid + ":"
        + gid + ": the id is not mapped in this user namespace (too few subordinate ids? add a"
        + " range for the user to /etc/subuid and /etc/subgid)";
  }

  /** The entry's path inside the layer. */
  public String path() {
    return path;
  }

  public long uid() {
    return uid;
  }

  public long gid() {
    return gid;
  }
}
