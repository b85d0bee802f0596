package dev.lamina.runner.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CapabilitiesTest {
  @Test
  void effectiveSet_defaults_matchDockerBoundingMask() {
    assertEquals(0xa80425fbL, Capabilities.mask(Capabilities.effectiveSet(Set.of(), Set.of())));
  }

  @Test
  void effectiveSet_addAndDropByShortName_applied() {
    List<String> caps = Capabilities.effectiveSet(Set.of("sys_ptrace"), Set.of("NET_RAW", "mknod"));
    assertEquals(0xa80425fbL & ~(1L << 13) & ~(1L << 27) | (1L << 19), Capabilities.mask(caps));
  }

  @Test
  void effectiveSet_dropAllAddOne_onlyThatOne() {
    assertEquals(
        List.of("CAP_KILL"), Capabilities.effectiveSet(Set.of("kill"), Set.of("ALL")));
  }

  @Test
  void effectiveSet_addAllDropOne_everythingButIt() {
    List<String> caps = Capabilities.effectiveSet(Set.of("ALL"), Set.of("SYS_ADMIN"));
    assertEquals(Capabilities.ALL.size() - 1, caps.size());
  }

  @Test
  void normalize_unknown_refused() {
    assertThrows(IllegalArgumentException.class, () -> Capabilities.normalize("CAP_FLY"));
  }
}
