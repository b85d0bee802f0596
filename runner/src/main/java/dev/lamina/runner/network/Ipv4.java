package dev.lamina.runner.network;

/** Dotted-quad IPv4 addresses as ints; only the four-part decimal form is accepted. */
public final class Ipv4 {
  private Ipv4() {}

  /**
   * Parses {@code a.b.c.d}.
   *
   * @throws IllegalArgumentException when it is not such an address
   */
  public static int parse(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("invalid IPv4 address '" + text + "'");
    }
    int v = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("invalid IPv4 address '" + text + "'");
      }
      int octet = Integer.parseInt(p);
      if (octet > 255) {
        throw new IllegalArgumentException("invalid IPv4 address '" + text + "'");
      }
      v = (v << 8) | octet;
    }
    return v;
  }

  /** Whether {@code text} is a dotted-quad IPv4 address. */
  public static boolean isAddress(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public static String format(int address) {
    return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
  }
}
