package dev.lamina.layerfs.oci;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * Times in image configs, written exactly as Go's {@code time.RFC3339Nano} writes them (UTC, the
 * fraction with trailing zeros trimmed). Tools in Go (skopeo, containers/image) re-serialise
 * configs they convert; a time Java wrote with trailing zeros ({@code .444440Z}) would come back
 * as {@code .44444Z} and change the image id.
 */
public final class Timestamps {
  private Timestamps() {}

  /** {@code 2026-01-02T03:04:05.12345Z}, {@code 2026-01-02T03:04:05Z}. */
  public static String format(Instant t) {
    String s = DateTimeFormatter.ISO_INSTANT.format(t);
    int dot = s.indexOf('.');
    if (dot < 0) {
      return s;
    }
    int end = s.length() - 1; // the 'Z'
    int last = end - 1;
    while (last > dot && s.charAt(last) == '0') {
      last--;
    }
    return last == dot ? s.substring(0, dot) + "Z" : s.substring(0, last + 1) + "Z";
  }
}
