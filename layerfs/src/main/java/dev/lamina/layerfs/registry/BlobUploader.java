package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.oci.Descriptor;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.List;

/**
 * Sends one blob to a repository the way the distribution spec allows, cheapest first: not at all
 * when {@code HEAD} finds it; a cross-repository mount when another repository of the registry is
 * known to hold it; else an upload, monolithic (one PUT) or in chunks (PATCH each, then PUT).
 *
 * <p>A chunk that fails is retried from the offset the registry reports for the upload (its
 * {@code Range} header); if the registry lost the session, the whole blob is sent again once.
 */
final class BlobUploader {
  private static final int CHUNK_ATTEMPTS = 4;

  /** Opens the blob's bytes from the start; called again for a restart. */
  @FunctionalInterface
  interface Content {
    InputStream open() throws IOException;
  }

  private final RegistryClient client;
  private final String repository;
  private final long chunkSize;
  private final TransferProgress progress;

  BlobUploader(RegistryClient client, String repository, long chunkSize, TransferProgress progress) {
    this.client = client;
    this.repository = repository;
    this.chunkSize = chunkSize;
    this.progress = progress;
  }

  /**
   * Makes sure the repository has {@code blob}.
   *
   * @param mountFrom repositories of the same registry that may hold it
   * @throws IOException if the registry refuses the blob or the transfer keeps failing
   */
  TransferProgress.Outcome upload(Descriptor blob, Content content, List<String> mountFrom)
      throws IOException {
    if (client.blobSize(repository, blob.digest()).isPresent()) {
      return TransferProgress.Outcome.SKIPPED;
    }
    RegistryClient.UploadStart start = null;
    for (String from : mountFrom.subList(0, Math.min(2, mountFrom.size()))) {
      start = client.startUpload(repository, blob.digest(), from);
      if (start.mounted()) {
        return TransferProgress.Outcome.MOUNTED;
      }
      break; // a refused mount opened an ordinary session: use it
    }
    progress.started(blob, "pushing");
    for (int attempt = 0; ; attempt++) {
      if (start == null) {
        start = client.startUpload(repository, null, null);
      }
      try {
        if (chunkSize <= 0) {
          URI location = start.location();
          client.putBlob(repository, location, blob.digest(), blob.size(),
              () -> counting(content.open(), blob));
        } else {
          sendChunks(blob, content, start.location());
        }
        return TransferProgress.Outcome.PUSHED;
      } catch (DigestMismatchException | RegistryException e) {
        throw e;
      } catch (IOException e) {
        DigestMismatchException damaged = damage(e);
        if (damaged != null) {
          // The local copy is damaged (found wherever it sits in the cause chain):
          // sending it again would not help, and the caller may make it anew.
          client.cancelUpload(repository, start.location());
          throw damaged;
        }
        if (attempt >= 1) {
          throw new IOException("uploading blob " + blob.digest() + ": " + e.getMessage(), e);
        }
        client.cancelUpload(repository, start.location());
        start = null;
      }
    }
  }

  /**
   * Starts the upload of a blob whose digest is known only once it is written: write it to the
   * stream returned, then {@link BlobStream#finish}. In one streamed PATCH, or with a chunk size
   * in PATCHes of that size, each retried from the registry's offset as {@link #upload} does.
   *
   * @throws IOException if the registry does not open an upload session
   */
  BlobStream stream() throws IOException {
    URI location = client.startUpload(repository, null, null).location();
    return chunkSize > 0 ? new ChunkedBlobStream(location) : new PatchBlobStream(location);
  }

  /** A blob on its way up; see {@link #stream()}. */
  abstract class BlobStream extends OutputStream {
    private boolean ended;

    /**
     * Ends the upload, naming the blob by what was written.
     *
     * @throws RegistryException if the registry refuses the blob (a digest it computed
     *     otherwise, say)
     * @throws IOException if the transfer fails
     */
    final void finish(Digest digest) throws IOException {
      client.finishUpload(repository, end(), digest);
      ended = true;
    }

    /** Sends what is left; returns the location for the closing PUT. */
    abstract URI end() throws IOException;

    /** Where the session is now (for cancelling). */
    abstract URI location();

    /** Gives the upload up and cancels the session; never throws. */
    void abort() {
      if (!ended) {
        ended = true;
        stop();
        client.cancelUpload(repository, location());
      }
    }

    void stop() {}

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }
  }

  private final class PatchBlobStream extends BlobStream {
    private final URI location;
    private final RegistryClient.StreamedPatch patch;

    PatchBlobStream(URI location) throws IOException {
      this.location = location;
      this.patch = client.streamPatch(repository, location);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      patch.write(b, off, len);
    }

    @Override
    URI end() throws IOException {
      return patch.finish();
    }

    @Override
    URI location() {
      return location;
    }

    @Override
    void stop() {
      patch.abort();
    }
  }

  private final class ChunkedBlobStream extends BlobStream {
    private final byte[] buf = new byte[(int) chunkSize];
    private int fill;
    private long offset;
    private URI location;

    ChunkedBlobStream(URI location) {
      this.location = location;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        int n = Math.min(len, buf.length - fill);
        System.arraycopy(b, off, buf, fill, n);
        fill += n;
        off += n;
        len -= n;
        if (fill == buf.length) {
          flushChunk();
        }
      }
    }

    private void flushChunk() throws IOException {
      if (fill > 0) {
        location = sendChunk(location, offset, buf, fill);
        offset += fill;
        fill = 0;
      }
    }

    @Override
    URI end() throws IOException {
      flushChunk();
      return location;
    }

    @Override
    URI location() {
      return location;
    }
  }

  private void sendChunks(Descriptor blob, Content content, URI first) throws IOException {
    URI location = first;
    byte[] buf = new byte[(int) Math.min(chunkSize, Math.max(1, blob.size()))];
    long offset = 0;
    try (InputStream in = content.open()) {
      while (offset < blob.size()) {
        int len = in.readNBytes(buf, 0, (int) Math.min(buf.length, blob.size() - offset));
        if (len == 0) {
          throw new IOException("blob " + blob.digest() + " ended before its size " + blob.size());
        }
        location = sendChunk(location, offset, buf, len);
        offset += len;
        progress.advanced(blob, offset);
      }
      if (in.read() >= 0) {
        throw new DigestMismatchException(
            "blob " + blob.digest() + " is longer than its size " + blob.size());
      }
    }
    client.finishUpload(repository, location, blob.digest());
  }

  /** Sends {@code buf[0..len)} at {@code offset}, resuming where the registry says it stopped. */
  private URI sendChunk(URI location, long offset, byte[] buf, int len) throws IOException {
    int sent = 0;
    IOException last = null;
    for (int attempt = 0; attempt < CHUNK_ATTEMPTS; attempt++) {
      try {
        RegistryClient.ChunkResult r =
            client.patchChunk(repository, location, offset + sent, buf, sent, len - sent);
        location = r.location();
        if (r.received() < 0 || r.received() == offset + len) {
          return location;
        }
        last = new IOException("registry reports " + r.received() + " bytes, expected "
            + (offset + len));
      } catch (RegistryException e) {
        if (e.status() == 401 || e.status() == 403 || e.status() == 404) {
          throw e;
        }
        last = e;
      } catch (IOException e) {
        last = e;
      }
      // Ask where the upload stands and go on from there.
      RegistryClient.ChunkResult status = client.uploadStatus(repository, location);
      location = status.location();
      long reached = status.received();
      if (reached == 1 && offset == 0 && sent == 0) {
        reached = 0; // "0-0" is what an empty upload reports
      }
      if (reached < offset || reached > offset + len) {
        throw new IOException("registry lost the upload (at " + reached + ", chunk at " + offset
            + "): " + last.getMessage(), last);
      }
      sent = (int) (reached - offset);
      if (sent == len) {
        return location;
      }
    }
    throw new IOException("chunk at " + offset + " failed " + CHUNK_ATTEMPTS + " times: "
        + last.getMessage(), last);
  }

  private static DigestMismatchException damage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DigestMismatchException d) {
        return d;
      }
    }
    return null;
  }

  private InputStream counting(InputStream in, Descriptor blob) {
    return new FilterInputStream(in) {
      private long count;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          count += n;
          progress.advanced(blob, count);
        }
        return n;
      }
    };
  }
}
