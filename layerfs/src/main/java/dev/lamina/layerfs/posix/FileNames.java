package dev.lamina.layerfs.posix;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * File names as Linux, tar and Go have them: bytes, never decoded and re-encoded on the way.
 *
 * <p>Lamina holds a name in a {@code String}: its bytes read as UTF-8, except that each byte of an
 * invalid sequence becomes one of the lone surrogates U+DC80..U+DCFF (the "surrogateescape" scheme
 * of Python's PEP 383). Valid UTF-8 never decodes to a lone surrogate, so every byte string has
 * exactly one such {@code String} and back: {@code a\xff} and {@code a\xfe} stay two names,
 * and a valid name ({@code café}, {@code 日本語}) is the ordinary text that recipes, ignore files, image
 * configs and messages use.
 *
 * <p>The JDK maps between {@code Path} and {@code String} through {@code sun.jnu.encoding} (the
 * locale's charset at start-up; no property changes it on JDK 17 or 25) and replaces what does not
 * decode. A {@code Path} read from a directory or a symlink keeps its bytes, but its {@code
 * toString()} loses them, and a {@code String} that went through the charset cannot bring them
 * back. So a name crosses between {@code String} and {@code Path} only here ({@link #resolve},
 * {@link #path}, {@link #name}, {@link #bytes}). Names the charset maps exactly take the ordinary
 * Path API; the others go through a {@code file:} URI, whose percent-escapes the JDK maps to and
 * from the path's own bytes.
 */
public final class FileNames {
  private static final Charset JNU = jnuCharset();
  private static final boolean JNU_IS_UTF8 = JNU.equals(StandardCharsets.UTF_8);
  private static final char ESCAPE_BASE = 0xDC00;
  private static final Path SLASH = Path.of("/");

  private FileNames() {}

  /** The name of {@code bytes}, lossless (see the class comment). */
  public static String decode(byte[] bytes) {
    return decode(bytes, 0, bytes.length);
  }

  /** The name of {@code length} bytes of {@code bytes} from {@code offset}, lossless. */
  public static String decode(byte[] bytes, int offset, int length) {
    if (isAscii(bytes, offset, length)) {
      return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
    // UTF-8 gives at most one char per byte, and so do escapes: the output never overflows.
    CharBuffer out = CharBuffer.allocate(length);
    while (true) {
      CoderResult r = decoder.decode(in, out, true);
      if (r.isUnderflow()) {
        break;
      }
      if (r.isOverflow()) {
        throw new IllegalStateException("decoded name longer than its bytes");
      }
      // Each byte of an invalid sequence becomes the lone surrogate that stands for it.
      for (int i = 0; i < r.length(); i++) {
        out.put((char) (ESCAPE_BASE | (in.get() & 0xff)));
      }
    }
    decoder.flush(out);
    out.flip();
    return out.toString();
  }

  /** The bytes of a name made by {@link #decode} (or of any text name, as UTF-8). */
  public static byte[] encode(String name) {
    // Most names are ASCII. The JDK encodes a char as one byte only when it is ASCII or a lone
    // surrogate (as '?'): a name whose encoding is as long as itself and holds no '?' has no
    // escape. Searching every name for escapes char by char first was a fortieth of a large cold
    // build's time (under C1); a loop over bytes costs a fraction of it.
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    if (utf8.length == name.length() && !hasQuestionMark(utf8)) {
      return utf8;
    }
    if (!hasEscapes(name)) {
      return utf8;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(name.length() + 8);
    int start = 0;
    for (int i = 0; i < name.length(); i++) {
      if (isEscape(name, i)) {
        out.writeBytes(name.substring(start, i).getBytes(StandardCharsets.UTF_8));
        out.write(name.charAt(i) & 0xff);
        start = i + 1;
      }
    }
    out.writeBytes(name.substring(start).getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /** {@link #encode} with a terminating NUL, for a C call. */
  public static byte[] cString(String name) {
    return withNul(encode(name));
  }

  /** {@code dir.resolve(name)} that keeps every byte of {@code name}. */
  public static Path resolve(Path dir, String name) {
    if (mapsExactly(name)) {
      return dir.resolve(name);
    }
    return dir.resolve(path(name));
  }

  /** {@code Path.of(name)} that keeps every byte of {@code name}. */
  public static Path path(String name) {
    if (mapsExactly(name)) {
      return Path.of(name);
    }
    String clean = withoutRedundantSlashes(name);
    boolean absolute = clean.startsWith("/");
    String absoluteName = absolute ? clean : "/" + clean;
    // A file: URI's percent-escapes are the path's bytes, whatever the JDK's charset.
    Path p = Path.of(URI.create("file://" + percentEncoded(encode(absoluteName))));
    return absolute ? p : p.subpath(0, p.getNameCount());
  }

  /** The name of {@code path} (relative or absolute), with every byte it has. */
  public static String name(Path path) {
    String s = path.toString();
    if (mapsExactly(s) && s.indexOf('\uFFFD') < 0) {
      return s;
    }
    return decode(bytes(path));
  }

  /** The bytes of {@code path}, as a system call takes them. */
  public static byte[] bytes(Path path) {
    String s = path.toString();
    if (mapsExactly(s) && s.indexOf('\uFFFD') < 0) {
      return s.getBytes(JNU);
    }
    // toUri() writes the path's own bytes as percent-escapes. It makes the path absolute, and
    // adds a slash when it names a directory: both are taken off again. Putting a relative path
    // under "/" (bytes joined, nothing normalised) keeps it exactly, whatever the working
    // directory.
    boolean absolute = path.isAbsolute();
    Path abs = absolute ? path : SLASH.resolve(path);
    byte[] raw = percentDecoded(abs.toUri().getRawPath());
    int from = absolute ? 0 : 1;
    int to = raw.length;
    if (to > 1 && raw[to - 1] == '/' && !s.endsWith("/")) {
      to--;
    }
    byte[] out = new byte[Math.max(0, to - from)];
    System.arraycopy(raw, from, out, 0, out.length);
    return out;
  }

  /** {@link #bytes} with a terminating NUL, for a C call. */
  public static byte[] cString(Path path) {
    return withNul(bytes(path));
  }

  private static byte[] withNul(byte[] bytes) {
    return Arrays.copyOf(bytes, bytes.length + 1);
  }

  /**
   * Whether {@code name} is valid text: it holds no byte that is not UTF-8. A name that is not
   * cannot be written in JSON or a recipe without changing it.
   */
  public static boolean isText(String name) {
    return !hasEscapes(name);
  }

  /** Whether the JDK's own Path conversion keeps every byte of {@code name}. */
  private static boolean mapsExactly(String name) {
    if (JNU_IS_UTF8) {
      return !hasEscapes(name);
    }
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasQuestionMark(byte[] bytes) {
    for (byte b : bytes) {
      if (b == '?') {
        return true;
      }
    }
    return false;
  }

  private static boolean hasEscapes(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 0xDC80 && c <= 0xDCFF && isEscape(name, i)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the char at {@code i} of a name stands for a byte that is not UTF-8: a lone
   * U+DC80..U+DCFF (not the low half of a surrogate pair). Its byte is {@code charAt(i) & 0xff}.
   */
  public static boolean isRawByte(String name, int i) {
    return isEscape(name, i);
  }

  private static boolean isEscape(String name, int i) {
    char c = name.charAt(i);
    return c >= 0xDC80
        && c <= 0xDCFF
        && (i == 0 || !Character.isHighSurrogate(name.charAt(i - 1)));
  }

  private static boolean isAscii(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      if (bytes[i] < 0) {
        return false;
      }
    }
    return true;
  }

  private static String withoutRedundantSlashes(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' && sb.length() > 0 && sb.charAt(sb.length() - 1) == '/') {
        continue;
      }
      sb.append(c);
    }
    if (sb.length() > 1 && sb.charAt(sb.length() - 1) == '/') {
      sb.setLength(sb.length() - 1);
    }
    return sb.toString();
  }

  private static String percentEncoded(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length * 3);
    for (byte b : bytes) {
      int v = b & 0xff;
      if (v == 0) {
        throw new IllegalArgumentException("a file name cannot hold a NUL byte");
      }
      if ((v >= 'a' && v <= 'z') || (v >= 'A' && v <= 'Z') || (v >= '0' && v <= '9')
          || v == '/' || v == '-' || v == '_' || v == '.') {
        sb.append((char) v);
      } else {
        sb.append('%')
            .append(Character.forDigit(v >> 4, 16))
            .append(Character.forDigit(v & 15, 16));
      }
    }
    return sb.toString();
  }

  private static byte[] percentDecoded(String raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()) {
        out.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }

  private static Charset jnuCharset() {
    try {
      return Charset.forName(System.getProperty("sun.jnu.encoding"));
    } catch (RuntimeException e) {
      return Charset.defaultCharset();
    }
  }
}
