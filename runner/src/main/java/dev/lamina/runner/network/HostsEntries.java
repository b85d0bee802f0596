package dev.lamina.runner.network;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code /etc/hosts} lines a networked container gets besides loopback: its own address with
 * its hostname and name (as docker writes them), one line per network joined.
 */
public final class HostsEntries {
  private HostsEntries() {}

  /** {@code ADDRESS<TAB>hostname [name]} for each attachment. */
  public static List<String> forContainer(NetworkStatus status, String hostname, String containerName) {
    List<String> out = new ArrayList<>();
    for (NetworkAttachment a : status.attachments()) {
      StringBuilder sb = new StringBuilder(a.address()).append('\t').append(hostname);
      if (containerName != null && !containerName.equals(hostname)) {
        sb.append(' ').append(containerName);
      }
      out.add(sb.toString());
    }
    return out;
  }
}
