package dev.lamina.layerfs.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Random identifiers (of containers, volumes, networks, and the names of temporary files and
 * directories) read straight from the kernel's {@code /dev/urandom}: the same source as {@code
 * SecureRandom}'s NativePRNG, without the tens of milliseconds its provider set-up costs a
 * short-lived CLI ({@code UUID.randomUUID} and {@code Files.createTempFile} set it up).
 */
public final class RandomIds {
  private static final Path URANDOM = Path.of("/dev/urandom");

  private RandomIds() {}

  /** {@code n} random bytes. */
  public static byte[] bytes(int n) {
    try (InputStream in = Files.newInputStream(URANDOM)) {
      byte[] b = in.readNBytes(n);
      if (b.length != n) {
        throw new IOException("short read from " + URANDOM);
      }
      return b;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + URANDOM, e);
    }
  }

  /** 64 random hex digits: a container or anonymous volume id, or part of a unique name. */
  public static String hex64() {
    return HexFormat.of().formatHex(bytes(32));
  }

  /** A random int in {@code [0, bound)}. */
  public static int below(int bound) {
    byte[] b = bytes(4);
    int v = ((b[0] & 0x7f) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    return v % bound;
  }
}
