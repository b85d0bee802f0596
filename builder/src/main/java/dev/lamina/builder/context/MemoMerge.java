package dev.lamina.builder.context;

import dev.lamina.layerfs.tar.LayerEntry;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/** Sorted sources of memo records as one: each key once, from the newest source that has it. */
final class MemoMerge implements Iterator<MemoFile.Record> {

  /** Records in key order from one place, and how new they are (higher wins a tie). */
  static final class Source {
    private final Iterator<MemoFile.Record> records;
    private final int age;
    private MemoFile.Record head;

    Source(Iterator<MemoFile.Record> records, int age) {
      this.records = records;
      this.age = age;
      head = records.hasNext() ? records.next() : null;
    }

    void advance() {
      head = records.hasNext() ? records.next() : null;
    }
  }

  private final PriorityQueue<Source> queue = new PriorityQueue<>((a, b) -> {
    int c = LayerEntry.PATH_ORDER.compare(a.head.key(), b.head.key());
    return c != 0 ? c : Integer.compare(b.age, a.age);
  });

  MemoMerge(List<Source> sources) {
    for (Source s : sources) {
      if (s.head != null) {
        queue.add(s);
      }
    }
  }

  @Override
  public boolean hasNext() {
    return !queue.isEmpty();
  }

  @Override
  public MemoFile.Record next() {
    if (queue.isEmpty()) {
      throw new NoSuchElementException();
    }
    Source newest = queue.poll();
    MemoFile.Record out = newest.head;
    reinsert(newest);
    while (!queue.isEmpty() && queue.peek().head.key().equals(out.key())) {
      reinsert(queue.poll()); // older records of the same file
    }
    return out;
  }

  private void reinsert(Source s) {
    s.advance();
    if (s.head != null) {
      queue.add(s);
    }
  }
}
