package dev.lamina.runner.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The IPv4 destinations the host already routes, read from {@code /proc/net/route}, so that a new
 * network's subnet does not shadow a LAN or VPN the host reaches. The default route is left out:
 * it overlaps everything.
 */
public final class HostRoutes {
  /** The kernel's routing table for the current network namespace. */
  public static final Path PROC_ROUTE = Path.of("/proc/net/route");

  private HostRoutes() {}

  /**
   * The routed subnets listed in {@code table} (the format of {@code /proc/net/route}).
   *
   * @throws IOException if the file exists but cannot be read
   */
  public static List<Subnet> read(Path table) throws IOException {
    return read(table, null);
  }

  /**
   * The same, leaving out routes through {@code ownInterface} (a network's own bridge, whose
   * route exists while containers are on it), or none when null.
   */
  public static List<Subnet> read(Path table, String ownInterface) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    List<Subnet> out = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).trim().split("\\s+");
      if (f.length < 8 || f[0].equals(ownInterface)) {
        continue;
      }
      try {
        int dest = Integer.reverseBytes(Integer.parseUnsignedInt(f[1], 16));
        int mask = Integer.reverseBytes(Integer.parseUnsignedInt(f[7], 16));
        int prefix = Integer.bitCount(mask);
        if (prefix > 0) {
          out.add(new Subnet(dest, prefix));
        }
      } catch (NumberFormatException e) {
        // Not a route line; the kernel writes none such, but a copy given in a test might.
      }
    }
    return out;
  }
}
