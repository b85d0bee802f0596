package dev.lamina.layerfs.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DigestingInputStreamTest {
  /**
   * A reader above (BufferedInputStream) asks available() after each short read; a file answers
   * with two system calls, once per entry of an extracted layer. Nothing below is asked.
   */
  @Test
  void available_asksNothingBelow_andEveryByteIsStillReadAndHashed() throws Exception {
    byte[] data = new byte[300_001];
    new Random(3).nextBytes(data);
    int[] asked = {0};
    InputStream below = new ByteArrayInputStream(data) {
      @Override
      public synchronized int available() {
        asked[0]++;
        return super.available();
      }
    };
    DigestingInputStream digesting = new DigestingInputStream(below);
    InputStream buffered = new BufferedInputStream(digesting, 4096);
    byte[] piece = new byte[5000]; // longer than the buffer: short reads ask available()
    long total = 0;
    for (int n; (n = buffered.read(piece)) >= 0; ) {
      total += n;
    }
    assertEquals(data.length, total);
    assertEquals(0, asked[0]);
    assertEquals(Digest.sha256(data), digesting.digest());
  }
}
