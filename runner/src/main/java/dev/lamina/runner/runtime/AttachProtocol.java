package dev.lamina.runner.runtime;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * What an attached client sends a container's monitor: frames of a type byte, a length and a
 * payload. {@link #HELLO} comes first, once: one byte, 1 when the client wants the output since
 * the container started (as much as the monitor keeps) before what comes next, 0 for only what
 * comes next; then optionally the client's window size, as in a resize frame, so that a container
 * waiting for its first client starts at that size. {@link #INPUT} carries keystrokes for the terminal; {@link #RESIZE} the client's
 * window size, two unsigned 16-bit numbers (rows, then columns). The monitor answers with the
 * terminal's output, unframed.
 */
final class AttachProtocol {
  static final byte HELLO = 'h';
  static final byte INPUT = 'i';
  static final byte RESIZE = 'r';

  /** More than a client ever sends at once; a larger frame means a confused peer. */
  static final int MAX_PAYLOAD = 64 * 1024;

  private AttachProtocol() {}

  /** One frame: input bytes, or a window size. */
  record Frame(byte type, byte[] data, int rows, int columns) {}

  /**
   * Reads one frame.
   *
   * @throws java.io.EOFException at the end of the stream
   * @throws IOException for an unknown type or an oversized frame
   */
  static Frame read(DataInputStream in) throws IOException {
    byte type = in.readByte();
    int length = in.readInt();
    if (length < 0 || length > MAX_PAYLOAD) {
      throw new IOException("attach frame of " + length + " bytes");
    }
    byte[] payload = in.readNBytes(length);
    if (payload.length != length) {
      throw new java.io.EOFException();
    }
    return switch (type) {
      case INPUT -> new Frame(INPUT, payload, 0, 0);
      case HELLO -> {
        if (length != 1 && length != 5) {
          throw new IOException("attach hello frame of " + length + " bytes");
        }
        yield length == 1
            ? new Frame(HELLO, payload, 0, 0)
            : new Frame(HELLO, payload, unsigned16(payload, 1), unsigned16(payload, 3));
      }
      case RESIZE -> {
        if (length != 4) {
          throw new IOException("attach resize frame of " + length + " bytes");
        }
        yield new Frame(RESIZE, null, unsigned16(payload, 0), unsigned16(payload, 2));
      }
      default -> throw new IOException("unknown attach frame type " + type);
    };
  }

  private static int unsigned16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  /** Hello, with the window size when {@code rows} and {@code columns} are known (not 0). */
  static void writeHello(DataOutputStream out, boolean history, int rows, int columns)
      throws IOException {
    boolean sized = rows > 0 && columns > 0;
    out.writeByte(HELLO);
    out.writeInt(sized ? 5 : 1);
    out.writeByte(history ? 1 : 0);
    if (sized) {
      out.writeShort(rows);
      out.writeShort(columns);
    }
    out.flush();
  }

  static void writeInput(DataOutputStream out, byte[] b, int off, int len) throws IOException {
    out.writeByte(INPUT);
    out.writeInt(len);
    out.write(b, off, len);
    out.flush();
  }

  static void writeResize(DataOutputStream out, int rows, int columns) throws IOException {
    out.writeByte(RESIZE);
    out.writeInt(4);
    out.writeShort(rows);
    out.writeShort(columns);
    out.flush();
  }
}
