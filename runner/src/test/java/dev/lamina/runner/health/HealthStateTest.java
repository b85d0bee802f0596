package dev.lamina.runner.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.layerfs.oci.ContainerConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docker's health rules: retries, the start period, the kept log, the image's defaults. */
class HealthStateTest {
  private static HealthState.Check check(int code) {
    return new HealthState.Check("s", "e", code, "out " + code);
  }

  @Test
  void after_unhealthyOnlyAfterRetriesFailuresInARow() {
    HealthState h = HealthState.starting();
    h = h.after(check(1), 2, false);
    assertEquals(HealthState.STARTING, h.status());
    assertEquals(1, h.failingStreak());
    h = h.after(check(1), 2, false);
    assertEquals(HealthState.UNHEALTHY, h.status());
    h = h.after(check(0), 2, false);
    assertEquals(HealthState.HEALTHY, h.status());
    assertEquals(0, h.failingStreak());
    h = h.after(check(1), 2, false);
    assertEquals(HealthState.HEALTHY, h.status(), "one failure of two allowed");
  }

  @Test
  void after_startPeriodFailuresDoNotCount_untilASuccess() {
    HealthState h = HealthState.starting().after(check(1), 1, true).after(check(1), 1, true);
    assertEquals(HealthState.STARTING, h.status());
    assertEquals(0, h.failingStreak());
    h = h.after(check(0), 1, true).after(check(1), 1, true);
    assertEquals(HealthState.UNHEALTHY, h.status(), "after a success, failures count");
  }

  @Test
  void after_keepsTheLastFive() {
    HealthState h = HealthState.starting();
    for (int i = 0; i < 8; i++) {
      h = h.after(check(i), 100, false);
    }
    assertEquals(5, h.log().size());
    assertEquals(3, h.log().get(0).exitCode());
  }

  @Test
  void ofImage_dockersDefaults_noneIsNone() {
    HealthConfig c =
        HealthConfig.ofImage(
            new ContainerConfig.Healthcheck(List.of("CMD-SHELL", "curl -f x"), null, 0L, null, null, null));
    assertEquals(Duration.ofSeconds(30), c.interval());
    assertEquals(Duration.ofSeconds(30), c.timeout());
    assertEquals(Duration.ZERO, c.startPeriod());
    assertEquals(3, c.retries());
    assertEquals(List.of("/bin/sh", "-c", "curl -f x"), c.command());
    assertNull(HealthConfig.ofImage(new ContainerConfig.Healthcheck(List.of("NONE"), null, null, null, null, null)));
    assertEquals(
        List.of("/bin/true", "x"),
        HealthConfig.ofImage(
                new ContainerConfig.Healthcheck(List.of("CMD", "/bin/true", "x"), 1L, 1L, 1L, null, 1))
            .command());
    assertThrows(
        IllegalArgumentException.class,
        () -> new HealthConfig(List.of("CMD"), Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ZERO, 1));
  }
}
