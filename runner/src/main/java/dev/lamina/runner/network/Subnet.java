package dev.lamina.runner.network;

/**
 * An IPv4 subnet in CIDR form ({@code 10.88.0.0/16}). Its canonical string has the host bits
 * cleared, as netavark and podman write it.
 *
 * @param base the network address as an unsigned 32-bit value
 * @param prefix the prefix length, 0 to 32
 */
public record Subnet(int base, int prefix) {
  public Subnet {
    if (prefix < 0 || prefix > 32) {
      throw new IllegalArgumentException("invalid prefix length /" + prefix);
    }
    base = base & mask(prefix);
  }

  /**
   * Parses {@code a.b.c.d/n}.
   *
   * @throws IllegalArgumentException with a one-line reason when it is not IPv4 CIDR
   */
  public static Subnet parse(String cidr) {
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("invalid subnet '" + cidr + "': expected CIDR such as 10.89.0.0/24");
    }
    int prefix;
    try {
      prefix = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid subnet '" + cidr + "': bad prefix length");
    }
    if (prefix < 0 || prefix > 32) {
      throw new IllegalArgumentException("invalid subnet '" + cidr + "': prefix length must be 0-32");
    }
    return new Subnet(Ipv4.parse(cidr.substring(0, slash)), prefix);
  }

  /** The netmask of a prefix length, as an int. */
  static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  /** Whether {@code address} lies in this subnet. */
  public boolean contains(int address) {
    return (address & mask(prefix)) == base;
  }

  /** Whether the two subnets share any address. */
  public boolean overlaps(Subnet other) {
    int p = Math.min(prefix, other.prefix);
    return (base & mask(p)) == (other.base & mask(p));
  }

  /** The address {@code n} after the network address ({@code n = 1} is the usual gateway). */
  public int host(long n) {
    return (int) ((base & 0xffffffffL) + n);
  }

  /** How many addresses the subnet holds, network and broadcast included. */
  public long size() {
    return 1L << (32 - prefix);
  }

  /** The broadcast address (the last one). */
  public int broadcast() {
    return host(size() - 1);
  }

  @Override
  public String toString() {
    return Ipv4.format(base) + "/" + prefix;
  }
}
