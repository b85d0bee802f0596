package dev.lamina.runner.userns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's subordinate id ranges, as {@code /etc/subuid} and {@code /etc/subgid} give them
 * ({@code NAME_OR_ID:START:COUNT} per line, see subuid(5)): the ids the user may map into a user
 * namespace besides its own, through the setuid {@code newuidmap} and {@code newgidmap}.
 */
public record SubordinateIds(List<Range> ranges) {
  /** {@code count} ids from {@code start}. */
  public record Range(long start, long count) {}

  public SubordinateIds {
    ranges = List.copyOf(ranges);
  }

  /** How many ids the ranges hold. */
  public long count() {
    return ranges.stream().mapToLong(Range::count).sum();
  }

  /** Whether the user has none. */
  public boolean isEmpty() {
    return count() == 0;
  }

  /**
   * The ranges {@code file} gives the user named {@code name} with id {@code id} (lines may name
   * either); none when the file is missing. Malformed lines are skipped, as shadow's tools do.
   */
  public static SubordinateIds read(Path file, String name, long id) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (NoSuchFileException e) {
      return new SubordinateIds(List.of());
    }
    return parse(lines, name, id);
  }

  static SubordinateIds parse(List<String> lines, String name, long id) {
    List<Range> out = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.strip().split(":");
      if (f.length != 3 || !(f[0].equals(name) || f[0].equals(Long.toString(id)))) {
        continue;
      }
      try {
        long start = Long.parseLong(f[1]);
        long count = Long.parseLong(f[2]);
        if (start >= 0 && count > 0) {
          out.add(new Range(start, count));
        }
      } catch (NumberFormatException e) {
        // skipped, as newuidmap skips it
      }
    }
    return new SubordinateIds(out);
  }

  /**
   * The arguments of {@code newuidmap}/{@code newgidmap} after the pid: the user's own id as 0,
   * then the ranges from 1 on, as podman maps them.
   */
  public List<String> mapArguments(long ownId) {
    List<String> args = new ArrayList<>(List.of("0", Long.toString(ownId), "1"));
    long next = 1;
    for (Range r : ranges) {
      args.addAll(List.of(Long.toString(next), Long.toString(r.start()), Long.toString(r.count())));
      next += r.count();
    }
    return args;
  }
}
