package dev.lamina.runner.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class HostLimitsTest {
  private static final String LIMITS =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
          + "Max cpu time              unlimited            unlimited            seconds   \n"
          + "Max open files            1024                 20000                files     \n";

  @Test
  void capped_wantAboveHard_loweredToHard() {
    HostLimits l = HostLimits.parse(LIMITS);
    assertEquals(20000, l.capped("Max open files", 1048576));
    assertEquals(4096, l.capped("Max open files", 4096));
  }

  @Test
  void capped_unlimited_keepsWanted() {
    assertEquals(99, HostLimits.parse(LIMITS).capped("Max cpu time", 99));
  }

  @Test
  void current_thisProcess_hasOpenFilesLimit() throws IOException {
    HostLimits.Limit nofile = HostLimits.current().get("Max open files").orElseThrow();
    assertTrue(nofile.hard() > 0);
  }
}
