package dev.lamina.runner.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Docker's {@code -e} and {@code --env-file} rules. */
public final class EnvFiles {
  private EnvFiles() {}

  /**
   * An {@code -e} value: {@code KEY=VALUE} as it is; a bare {@code KEY} takes its value from
   * {@code environment}, and is dropped when that has none.
   *
   * @throws IllegalArgumentException for an empty key or one with whitespace
   */
  public static Optional<String> entry(String value, Map<String, String> environment) {
    int eq = value.indexOf('=');
    String key = eq < 0 ? value : value.substring(0, eq);
    if (key.isEmpty() || !key.equals(key.strip()) || key.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("invalid environment variable: " + value);
    }
    if (eq >= 0) {
      return Optional.of(value);
    }
    String v = environment.get(key);
    return v == null ? Optional.empty() : Optional.of(key + "=" + v);
  }

  /**
   * The entries of an env file: one {@code KEY=VALUE} (taken verbatim, quotes included) or bare
   * {@code KEY} per line; blank lines and lines starting with {@code #} are skipped.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException for a malformed line, naming the file and line
   */
  public static List<String> read(Path file, Map<String, String> environment) throws IOException {
    List<String> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).stripLeading();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        entry(line.indexOf('=') < 0 ? line.strip() : line, environment).ifPresent(out::add);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + e.getMessage());
      }
    }
    return out;
  }
}
