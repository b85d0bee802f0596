package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runner.spec.ContainerOptions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A user's limits need the controller delegated; otherwise they are refused, never ignored. */
class RootlessLimitsTest {
  private static ContainerOptions.Builder opts() {
    return ContainerOptions.builder().entrypoint(List.of("true"));
  }

  @Test
  void limitWithoutDelegation_refusedNamingTheFlag() {
    ContainerException e = assertThrows(ContainerException.class,
        () -> RootlessLimits.check(opts().memoryBytes(64L << 20).build(), Set.of()));
    assertTrue(e.getMessage().startsWith("--memory is not available"), e.getMessage());
    assertTrue(e.getMessage().contains("cgroup v2"), e.getMessage());
    assertThrows(ContainerException.class,
        () -> RootlessLimits.check(opts().pidsLimit(10L).build(), Set.of("memory")));
    assertThrows(ContainerException.class,
        () -> RootlessLimits.check(opts().cpus(1.0).build(), Set.of("memory", "pids")));
  }

  @Test
  void delegatedOrNoLimit_accepted() {
    assertDoesNotThrow(() -> RootlessLimits.check(opts().build(), Set.of()));
    assertDoesNotThrow(() -> RootlessLimits.check(
        opts().memoryBytes(64L << 20).pidsLimit(5L).cpus(0.5).build(),
        Set.of("cpu", "memory", "pids")));
  }
}
