package dev.lamina.layerfs.posix;

import java.io.IOException;

/** A failed system call, carrying its errno. */
public final class PosixException extends IOException {
  private final int errno;

  PosixException(String call, String path, int errno, String message) {
    super(call + " " + path + ": " + message + " (errno " + errno + ")");
    this.errno = errno;
  }

  /** The errno the call failed with. */
  public int errno() {
    return errno;
  }
}
