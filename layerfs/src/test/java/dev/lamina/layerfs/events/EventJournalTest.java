package dev.lamina.layerfs.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's event journal: ordered, locked appends, bounded size, torn lines passed over. */
class EventJournalTest {
  @TempDir Path root;

  private static Event event(int i) {
    return new Event(Instant.ofEpochSecond(1_700_000_000L, i), Event.IMAGE, "tag", "sha256:" + i,
        Map.of("name", "n" + i));
  }

  @Test
  void append_read_roundTrips_inOrder_withSequenceNumbers() throws Exception {
    EventJournal j = EventJournal.at(root);
    j.append(event(1));
    j.append(event(2));
    List<EventJournal.Entry> all = j.read(0);
    assertEquals(List.of(1L, 2L), all.stream().map(EventJournal.Entry::seq).toList());
    assertEquals(event(2), all.get(1).event());
    assertEquals(List.of(event(2)), j.read(1).stream().map(EventJournal.Entry::event).toList());
    assertEquals(root.resolve("events/journal.jsonl"), j.file());
  }

  @Test
  void concurrentWriters_loseNothing_andNumberUniquely() throws Exception {
    EventJournal j = EventJournal.at(root);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int base = t * 100;
      Thread th = new Thread(() -> {
        for (int i = 0; i < 50; i++) {
          j.event(event(base + i));
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    List<Long> seqs = j.read(0).stream().map(EventJournal.Entry::seq).toList();
    assertEquals(200, seqs.size());
    assertEquals(200, seqs.stream().distinct().count());
  }

  @Test
  void bounded_dropsTheOlderHalf_keepsNumbering() throws Exception {
    EventJournal j = EventJournal.at(root).boundedAt(4096);
    for (int i = 0; i < 200; i++) {
      j.append(event(i));
    }
    assertTrue(Files.size(j.file()) <= 4096, "size " + Files.size(j.file()));
    List<EventJournal.Entry> kept = j.read(0);
    assertEquals(200L, kept.get(kept.size() - 1).seq());
    assertTrue(kept.get(0).seq() > 1);
  }

  @Test
  void tornLine_isPassedOver() throws Exception {
    EventJournal j = EventJournal.at(root);
    j.append(event(1));
    Files.writeString(j.file(), "{\"seq\":2,\"ti", java.nio.file.StandardOpenOption.APPEND);
    Files.writeString(j.file(), "\n", java.nio.file.StandardOpenOption.APPEND);
    j.append(event(3));
    assertEquals(List.of(event(1), event(3)), j.read(0).stream().map(EventJournal.Entry::event).toList());
    assertEquals(List.of(1L, 2L), j.read(0).stream().map(EventJournal.Entry::seq).toList());
  }
}
