package dev.lamina.layerfs.store;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.digest.VerifyingInputStream;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Json;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The blobs of an OCI image layout: {@code blobs/<alg>/<hex>}, one file per blob. */
final class LayoutBlobStore implements BlobStore {
  /** Acquires whatever must be held while a blob is being written (the store's GC lock). */
  @FunctionalInterface
  interface WriteGuard {
    FileLocks.Held acquire() throws IOException;
  }

  private final Path blobsDir;
  private final TempArea temp;
  private final WriteGuard guard;

  LayoutBlobStore(Path blobsDir, TempArea temp, WriteGuard guard) {
    this.blobsDir = blobsDir;
    this.temp = temp;
    this.guard = guard;
  }

  /** Where {@code digest} lives; the digest's grammar makes this a safe single path component. */
  Path pathOf(Digest digest) {
    return blobsDir.resolve(digest.algorithm().id()).resolve(digest.hex());
  }

  @Override
  public BlobWriter newWriter() throws IOException {
    return newWriter(DigestAlgorithm.SHA256);
  }

  @Override
  public BlobWriter newWriter(DigestAlgorithm algorithm) throws IOException {
    // The guard (shared GC lock) is held from the first byte to close, so a prune running in
    // another process never sees this blob half-way: it waits, or it ran before.
    FileLocks.Held held = guard == null ? null : guard.acquire();
    try {
      TempArea.TempFile file = temp.create();
      return new BlobWriter(
          file,
          algorithm,
          this,
          () -> {
            if (held != null) {
              held.close();
            }
          });
    } catch (IOException | RuntimeException e) {
      if (held != null) {
        held.close();
      }
      throw e;
    }
  }

  @Override
  public VerifyingInputStream open(Digest digest, long expectedSize) throws IOException {
    Path path = pathOf(digest);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(digest);
    }
    if (!attrs.isRegularFile()) {
      // A symlink or FIFO in a layout must not make us read (or block on) something else.
      throw new DigestMismatchException("blob " + digest + " is not a regular file");
    }
    InputStream in;
    try {
      in = Files.newInputStream(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(digest);
    }
    return new VerifyingInputStream(new BufferedInputStream(in, 64 * 1024), digest, expectedSize);
  }

  @Override
  public byte[] readVerified(Descriptor descriptor) throws IOException {
    if (descriptor.data() != null) {
      return descriptor.data().clone(); // checked against digest and size when it was parsed
    }
    if (descriptor.size() > Json.MAX_METADATA_BYTES) {
      throw new IOException(
          "metadata blob "
              + descriptor.digest()
              + " is "
              + descriptor.size()
              + " bytes, more than the "
              + Json.MAX_METADATA_BYTES
              + " allowed");
    }
    try (VerifyingInputStream in = open(descriptor.digest(), descriptor.size())) {
      byte[] bytes = in.readNBytes((int) descriptor.size() + 1);
      in.drainAndDigest(); // EOF: verifies (the +1 already caught a longer blob)
      return bytes;
    }
  }

  @Override
  public boolean exists(Digest digest) {
    return Files.isRegularFile(pathOf(digest), LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public long size(Digest digest) throws IOException {
    try {
      return Files.readAttributes(pathOf(digest), BasicFileAttributes.class,
              LinkOption.NOFOLLOW_LINKS).size();
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(digest);
    }
  }

  @Override
  public boolean delete(Digest digest) throws IOException {
    boolean removed = Files.deleteIfExists(pathOf(digest));
    if (removed) {
      AtomicFiles.syncDirectory(pathOf(digest).getParent());
    }
    return removed;
  }

  @Override
  public List<Digest> list() throws IOException {
    List<Digest> out = new ArrayList<>();
    for (DigestAlgorithm alg : DigestAlgorithm.values()) {
      Path dir = blobsDir.resolve(alg.id());
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path entry : entries) {
          String name = entry.getFileName().toString();
          if (Digest.isValid(alg.id() + ":" + name)) {
            out.add(new Digest(alg, name));
          }
        }
      }
    }
    Collections.sort(out);
    return out;
  }
}
