package dev.lamina.runner.network;

import java.util.List;
import java.util.Optional;

/**
 * A container's network after setup: one attachment per network joined, in the order asked, and
 * the ports published (host ports resolved).
 *
 * @param attachments per network
 * @param ports the published ports
 */
public record NetworkStatus(List<NetworkAttachment> attachments, List<PortMapping> ports) {
  public NetworkStatus {
    attachments = List.copyOf(attachments);
    ports = List.copyOf(ports);
  }

  /** The first network's attachment: docker's top-level IPAddress, Gateway and MacAddress. */
  public Optional<NetworkAttachment> primary() {
    return attachments.isEmpty() ? Optional.empty() : Optional.of(attachments.get(0));
  }
}
