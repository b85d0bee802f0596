package dev.lamina.cli;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * The key sequence that ends {@code attach} without stopping the container ({@code
 * --detach-keys}, docker's syntax: {@code ctrl-p,ctrl-q}, {@code a}, {@code ctrl-a,b}), and a
 * scanner that holds back its prefix from the container until it is known not to be the whole.
 */
final class DetachKeys {
  static final String DEFAULT = "ctrl-p,ctrl-q";

  private final byte[] keys;
  private int matched;

  private DetachKeys(byte[] keys) {
    this.keys = keys;
  }

  /**
   * Parses docker's form: comma-separated keys, each one character or {@code ctrl-} and one of
   * a-z, @, [, \, ], ^ or _.
   *
   * @throws UserException for anything else
   */
  static DetachKeys parse(String spec) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String key : spec.split(",", -1)) {
      String k = key.toLowerCase(Locale.ROOT);
      if (k.length() == 1) {
        out.write(key.charAt(0));
      } else if (k.startsWith("ctrl-") && k.length() == 6 && "abcdefghijklmnopqrstuvwxyz@[\\]^_".indexOf(k.charAt(5)) >= 0) {
        out.write(k.charAt(5) & 0x1f);
      } else {
        throw new UserException("invalid --detach-keys " + spec
            + " (keys are a letter or ctrl-<letter>, separated by commas)");
      }
    }
    return new DetachKeys(out.toByteArray());
  }

  /**
   * Scans {@code n} typed bytes: what to pass on to the container goes to {@code pass}.
   *
   * @return true when the sequence is complete (the rest of {@code in} is dropped)
   */
  boolean scan(byte[] in, int n, ByteArrayOutputStream pass) {
    for (int i = 0; i < n; i++) {
      byte b = in[i];
      if (b == keys[matched]) {
        matched++;
        if (matched == keys.length) {
          matched = 0;
          return true;
        }
        continue;
      }
      // Not the sequence after all: what was held back was typing.
      pass.write(keys, 0, matched);
      matched = 0;
      if (b == keys[0]) {
        matched = 1;
        if (keys.length == 1) {
          matched = 0;
          return true;
        }
      } else {
        pass.write(b);
      }
    }
    return false;
  }
}
