package dev.lamina.layerfs.posix;

/**
 * The {@code open(2)} flags whose values differ between the architectures Lamina calls {@code
 * open}/{@code openat} natively on (through jffi, where the JDK would go by path).
 *
 * @param directory {@code O_DIRECTORY}
 * @param noFollow {@code O_NOFOLLOW}
 */
record OpenFlags(int directory, int noFollow) {
  static final int WRONLY = 01;
  static final int CREAT = 0100;
  static final int EXCL = 0200;
  static final int NOCTTY = 0400;
  static final int NONBLOCK = 04000;
  static final int CLOEXEC = 02000000;

  /** This architecture's, or null where they are not known here (the callers go by path). */
  static OpenFlags here() {
    return switch (System.getProperty("os.arch")) {
      case "amd64", "x86_64" -> new OpenFlags(0200000, 0400000);
      case "aarch64" -> new OpenFlags(040000, 0100000);
      default -> null;
    };
  }
}
