package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.oci.Descriptor;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
          client.putBlob(repository, location, blob.digest(), blob.size(), () -> {
            try {
              return counting(content.open(), blob);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
        } else {
          sendChunks(blob, content, start.location());
        }
        return TransferProgress.Outcome.PUSHED;
      } catch (DigestMismatchException | RegistryException e) {
        throw e;
      } catch (UncheckedIOException e) {
        throw e.getCause();
      } catch (IOException e) {
        if (attempt >= 1) {
          throw new IOException("uploading blob " + blob.digest() + ": " + e.getMessage(), e);
        }
        client.cancelUpload(repository, start.location());
        start = null;
      }
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
