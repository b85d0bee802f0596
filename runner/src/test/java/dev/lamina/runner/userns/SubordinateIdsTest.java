package dev.lamina.runner.userns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** subuid(5) lines, and the maps newuidmap is given: the user as 0, the ranges from 1. */
class SubordinateIdsTest {
  @Test
  void parse_byNameOrId_skipsOthersAndMalformedLines() {
    SubordinateIds ids = SubordinateIds.parse(List.of(
        "other:100000:65536", "alice:200000:65536", "1001:300000:10", "alice:x:1", "alice:5:0",
        "# comment", ""), "alice", 1001);
    assertEquals(List.of(new SubordinateIds.Range(200000, 65536),
        new SubordinateIds.Range(300000, 10)), ids.ranges());
    assertEquals(65546, ids.count());
    assertTrue(SubordinateIds.parse(List.of("bob:1:2"), "alice", 1001).isEmpty());
  }

  @Test
  void mapArguments_userIsZero_rangesFollowFromOne() {
    SubordinateIds ids = new SubordinateIds(List.of(new SubordinateIds.Range(200000, 65536),
        new SubordinateIds.Range(300000, 10)));
    assertEquals(List.of("0", "1001", "1", "1", "200000", "65536", "65537", "300000", "10"),
        ids.mapArguments(1001));
  }
}
