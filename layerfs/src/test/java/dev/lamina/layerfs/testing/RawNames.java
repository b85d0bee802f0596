package dev.lamina.layerfs.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * File names as bytes for tests, made and read by the shell and coreutils, never through Java's
 * path charset (which would decide the answer the test is checking). Names are written in
 * {@code printf} notation, for example {@code "a\\377"} for the bytes {@code a 0xff}.
 */
public final class RawNames {
  /** An invalid UTF-8 byte. */
  public static final String A_FF = "a\\377";
  /** The same name but one byte: a second name a lossy decoder merges with the first. */
  public static final String A_FE = "a\\376";
  /** "laté-1" in ISO-8859-1: 0xe9 alone is not UTF-8. */
  public static final String LATIN1 = "lat\\351-1";
  /** "café" in UTF-8. */
  public static final String CAFE = "caf\\303\\251";
  /** "日本語" in UTF-8. */
  public static final String JAPANESE = "\\346\\227\\245\\346\\234\\254\\350\\252\\236";

  /** Every fixture name, in printf notation, with the content each file gets. */
  public static final List<String[]> FILES =
      List.of(
          new String[] {A_FF, "one"},
          new String[] {A_FE, "two"},
          new String[] {LATIN1, "latin"},
          new String[] {CAFE, "cafe"},
          new String[] {"d" + JAPANESE + "/f\\377", "deep"});

  private RawNames() {}

  /** The bytes a printf-notation name stands for. */
  public static byte[] bytes(String printf) throws IOException, InterruptedException {
    return run(List.of("printf", printf.replace("%", "%%")), null);
  }

  /** Lowercase hex of the bytes a printf-notation name stands for. */
  public static String hex(String printf) throws IOException, InterruptedException {
    return HexFormat.of().formatHex(bytes(printf));
  }

  /**
   * Creates {@link #FILES} under {@code dir} (an ASCII path) with the shell: each file and its
   * directory made from the raw bytes.
   */
  public static void create(Path dir) throws IOException, InterruptedException {
    StringBuilder script = new StringBuilder("set -e; cd \"$1\"\n");
    for (String[] f : FILES) {
      String name = f[0];
      int slash = name.lastIndexOf('/');
      if (slash > 0) {
        script.append("mkdir -p \"$(printf '").append(name, 0, slash).append("')\"\n");
      }
      script
          .append("printf '%s' '")
          .append(f[1])
          .append("' > \"$(printf '")
          .append(name)
          .append("')\"\n");
    }
    sh(script.toString(), dir.toString());
  }

  /**
   * Every path under {@code dir} (relative, as {@code find -printf %P} gives it), as hex of its
   * bytes, mapped to the file's content for regular files and "" for the others.
   */
  public static TreeMap<String, String> list(Path dir) throws IOException, InterruptedException {
    byte[] out =
        sh(
            "cd \"$1\" && find . -mindepth 1 -printf '%P\\0' -type f -exec cat {} \\; "
                + "-printf '\\0' -o -printf '\\0'",
            dir.toString());
    TreeMap<String, String> files = new TreeMap<>();
    List<byte[]> fields = split(out);
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      files.put(
          HexFormat.of().formatHex(fields.get(i)),
          new String(fields.get(i + 1), StandardCharsets.UTF_8));
    }
    return files;
  }

  /** What {@link #list} gives for a tree holding {@link #FILES}. */
  public static TreeMap<String, String> expected() throws IOException, InterruptedException {
    TreeMap<String, String> files = new TreeMap<>();
    for (String[] f : FILES) {
      int slash = f[0].lastIndexOf('/');
      if (slash > 0) {
        files.put(hex(f[0].substring(0, slash)), "");
      }
      files.put(hex(f[0]), f[1]);
    }
    return files;
  }

  /** Runs a shell script with arguments and returns its stdout, failing on a non-zero exit. */
  public static byte[] sh(String script, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("sh", "-c", script, "sh"));
    cmd.addAll(List.of(args));
    return run(cmd, null);
  }

  private static byte[] run(List<String> cmd, Path stdin) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    if (stdin != null) {
      pb.redirectInput(stdin.toFile());
    }
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    int exit = p.waitFor();
    if (exit != 0) {
      String shown = String.join(" ", cmd);
      throw new IOException(
          (shown.length() > 300 ? shown.substring(0, 300) + "..." : shown) + " exited " + exit);
    }
    return out;
  }

  private static List<byte[]> split(byte[] data) {
    List<byte[]> fields = new ArrayList<>();
    ByteArrayOutputStream field = new ByteArrayOutputStream();
    for (byte b : data) {
      if (b == 0) {
        fields.add(field.toByteArray());
        field.reset();
      } else {
        field.write(b);
      }
    }
    return fields;
  }
}
