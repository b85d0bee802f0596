package dev.lamina.layerfs.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ReadAheadTest {
  /** Content whose digest is known (a memo's) or not, recording which files were read ahead. */
  private record Known(String name, boolean digestKnown, Set<String> log)
      implements ReadAhead.Content {
    @Override
    public boolean wantsReadAhead() {
      return !digestKnown;
    }

    @Override
    public boolean wantsReadAheadToWrite() {
      return true;
    }

    @Override
    public int readAhead() {
      log.add(name);
      return 1;
    }

    @Override
    public void release() {}

    @Override
    public InputStream open() {
      return new ByteArrayInputStream(new byte[] {1});
    }
  }

  private static List<LayerEntry> entries(Set<String> readAhead) {
    List<LayerEntry> entries = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String name = String.format("f%03d", i);
      entries.add(LayerEntry.regular(name, 1, new Known(name, i % 3 != 0, readAhead)));
    }
    return entries;
  }

  /**
   * A walk that feeds a layer write reads ahead every small file, known digest or not (the write
   * reads them all); one that only describes its entries reads only those whose digest is not
   * known, so that a cached build reads nothing a memo remembers.
   */
  @Test
  void writeReadsEveryFileAhead_describingOnlyTheUnknown() {
    Set<String> written = ConcurrentHashMap.newKeySet();
    List<String> order = new ArrayList<>();
    for (LayerEntry e : ReadAhead.of(entries(written))) {
      // read before it is handed out, also in the last batch, which is never full
      assertTrue(written.contains(e.path()), e.path() + " handed out unread");
      order.add(e.path());
    }
    assertEquals(300, written.size());
    assertEquals(300, order.size());
    assertEquals("f000", order.get(0));
    assertEquals("f299", order.get(299));

    Set<String> described = ConcurrentHashMap.newKeySet();
    int seen = 0;
    for (LayerEntry e : ReadAhead.of(entries(described)).describing()) {
      seen++;
    }
    assertEquals(300, seen);
    assertEquals(100, described.size());
    for (String name : described) {
      assertEquals(0, Integer.parseInt(name.substring(1)) % 3, name + " has a known digest");
    }
  }
}
