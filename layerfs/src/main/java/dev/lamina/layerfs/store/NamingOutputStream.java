package dev.lamina.layerfs.store;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * An output stream to a file whose failures name the file: a write to a channel that fails says
 * only {@code No space left on device}, which does not tell the user which file system is full.
 */
public final class NamingOutputStream extends FilterOutputStream {
  private final Path file;

  public NamingOutputStream(OutputStream out, Path file) {
    super(out);
    this.file = file;
  }

  /** {@code e}, naming {@code file} if it names no file yet. */
  public static IOException naming(IOException e, Path file) {
    if (e instanceof FileSystemException fse && fse.getFile() != null) {
      return e;
    }
    FileSystemException named = new FileSystemException(file.toString(), null, e.getMessage());
    named.initCause(e);
    return named;
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (IOException e) {
      throw naming(e, file);
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      throw naming(e, file);
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException e) {
      throw naming(e, file);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      out.close();
    } catch (IOException e) {
      throw naming(e, file);
    }
  }
}
