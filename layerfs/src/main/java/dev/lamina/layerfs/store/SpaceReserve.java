package dev.lamina.layerfs.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Space set aside in the store so that a change that frees space can still be written when the
 * file system is full: removing an image's name rewrites index.json, and the new file needs
 * blocks before the old one's are freed. The reserve is a file of zeros (really written, so its
 * blocks are allocated even on tmpfs); releasing it frees them for that one write, and it is
 * made again as soon as there is room (when the store is next opened, or after the removal).
 */
final class SpaceReserve {
  /** Enough for an index.json of several thousand names. */
  static final long SIZE = 1L << 20;

  private final Path file;

  SpaceReserve(Path file) {
    this.file = file;
  }

  /**
   * Makes the reserve if it is missing or smaller than {@code atLeast}. Best effort: on a full
   * file system it stays missing and is tried again next time.
   */
  synchronized void refill(long atLeast) {
    long want = Math.max(SIZE, atLeast);
    try {
      if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) >= want) {
        return;
      }
      try (FileChannel ch =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
        long at = ch.size();
        while (at < want) {
          zeros.clear().limit((int) Math.min(zeros.capacity(), want - at));
          at += ch.write(zeros, at);
        }
        // Not synced: the blocks are allocated by the write, and a reserve lost in a host crash
        // is made again at the next open.
      }
    } catch (IOException full) {
      // A partial reserve would look whole next time: drop it and try again later.
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // tried again next time
      }
    }
  }

  /**
   * Deletes the reserve, freeing its blocks.
   *
   * @return whether there was a reserve to release
   */
  synchronized boolean release() throws IOException {
    return Files.deleteIfExists(file);
  }
}
