package dev.lamina.runner.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Where networks live: the host's places as podman keeps them, and each store's. */
class NetworkDirectoriesTest {
  @Test
  void root_keepsDefinitionsInEtc_andStateInRun() {
    NetworkDirectories d = NetworkDirectories.system();
    assertEquals(Path.of("/etc/lamina/networks"), d.config());
    assertEquals(Path.of("/run/lamina/networks/leases"), d.leases());
    assertEquals(Path.of("/run/lamina/networks/.lock"), d.lock());
    assertEquals(Path.of("/run/lamina/networks/netavark.lock"), d.netavarkLock());
  }

  @Test
  void eachStore_hasARuntimeDirectoryOfItsOwn_underTheHostsOne() {
    NetworkDirectories d = NetworkDirectories.system().withConfig(Path.of("/tmp/x"));
    assertEquals(Path.of("/tmp/x"), d.config());
    Path a = d.store(Path.of("/var/lib/lamina"));
    assertEquals(d.run().resolve("stores"), a.getParent());
    assertEquals(a, d.store(Path.of("/var/lib/lamina/")));
    assertNotEquals(a, d.store(Path.of("/tmp/other")));
  }
}
