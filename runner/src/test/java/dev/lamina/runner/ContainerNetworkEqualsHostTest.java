package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ContainerNetwork#equalsHost}: the same answer as comparing with {@link ContainerNetwork#host}. */
class ContainerNetworkEqualsHostTest {
  @Test
  void equalsHost_exactlyWhenEqualToHost() {
    List<ContainerNetwork> networks = List.of(
        ContainerNetwork.host(),
        ContainerNetwork.parse("host", "c"),
        ContainerNetwork.parse("HOST", "c"),
        ContainerNetwork.parse("none", "c"),
        ContainerNetwork.parse("bridge", "c"),
        ContainerNetwork.parse("container:other", "c"),
        new ContainerNetwork(ContainerNetwork.Mode.HOST, null, null, List.of("1.1.1.1"), null, null, null),
        new ContainerNetwork(ContainerNetwork.Mode.HOST, null, null, null, List.of("example"), null, null),
        new ContainerNetwork(ContainerNetwork.Mode.HOST, null, null, null, null, List.of("ndots:1"), null),
        new ContainerNetwork(ContainerNetwork.Mode.HOST, null, null, null, null, null, List.of("a\t1.2.3.4")),
        new ContainerNetwork(ContainerNetwork.Mode.HOST, null, "x", null, null, null, null));
    for (ContainerNetwork n : networks) {
      assertEquals(n.equals(ContainerNetwork.host()), n.equalsHost(), n.toString());
    }
  }
}
