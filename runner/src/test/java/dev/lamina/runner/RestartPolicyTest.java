package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** docker's restart policies and back-off. */
class RestartPolicyTest {
  @Test
  void parse_dockersPolicies() {
    assertEquals(new RestartPolicy("on-failure", 3), RestartPolicy.parse("on-failure:3"));
    assertEquals("on-failure:3", RestartPolicy.parse("on-failure:3").toString());
    assertEquals(RestartPolicy.NO, RestartPolicy.parse("no"));
    assertEquals("unless-stopped", RestartPolicy.parse("unless-stopped").toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sometimes", "always:3", "on-failure:x", "on-failure:-1", ""})
  void parse_refusesOthers(String bad) {
    assertThrows(IllegalArgumentException.class, () -> RestartPolicy.parse(bad));
  }

  @Test
  void restarts_byPolicyExitCodeCountAndStop() {
    RestartPolicy onFailure = RestartPolicy.parse("on-failure:2");
    assertTrue(onFailure.restarts(1, 0, false));
    assertTrue(onFailure.restarts(1, 1, false));
    assertFalse(onFailure.restarts(1, 2, false), "at most 2");
    assertFalse(onFailure.restarts(0, 0, false), "success is not a failure");
    assertTrue(RestartPolicy.parse("on-failure").restarts(137, 100, false), "no limit");
    assertTrue(RestartPolicy.parse("always").restarts(0, 100, false));
    assertTrue(RestartPolicy.parse("unless-stopped").restarts(0, 0, false));
    assertFalse(RestartPolicy.parse("always").restarts(0, 0, true), "stopped by the user");
    assertFalse(RestartPolicy.NO.restarts(1, 0, false));
  }

  @Test
  void delay_doublesFromAHundredMillis_upToAMinute_resetAfterALongRun() {
    ContainerRecord.Builder b =
        ContainerRecord.builder()
            .startedAt("2026-01-01T00:00:00Z")
            .finishedAt("2026-01-01T00:00:01Z");
    assertEquals(Duration.ofMillis(100), RestartPolicies.delay(b.restartCount(0).build()));
    assertEquals(Duration.ofMillis(400), RestartPolicies.delay(b.restartCount(2).build()));
    assertEquals(Duration.ofMinutes(1), RestartPolicies.delay(b.restartCount(30).build()));
    assertEquals(
        Duration.ofMillis(100),
        RestartPolicies.delay(b.restartCount(30).finishedAt("2026-01-01T00:00:10Z").build()));
  }

  @Test
  void never_exactlyWhenEqualToNo() {
    for (String v : new String[] {"no", "NO", "always", "unless-stopped", "on-failure", "on-failure:1"}) {
      RestartPolicy p = RestartPolicy.parse(v);
      assertEquals(p.equals(RestartPolicy.NO), p.never(), v);
    }
  }
}
