package dev.lamina.builder.ignore;

import dev.lamina.builder.parse.RecipeText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;

/**
 * The build context's ignore file ({@code .dockerignore} semantics of moby's patternmatcher).
 *
 * <ul>
 *   <li>lines starting with {@code #} are comments, blank lines are skipped, patterns are trimmed
 *       and cleaned ({@code ./a//b/} is {@code a/b}, a leading {@code /} is dropped);
 *   <li>{@code !pattern} re-includes what earlier patterns excluded; the last matching pattern
 *       wins;
 *   <li>a pattern matching a directory matches everything below it.
 * </ul>
 *
 * <p>Paths given to {@link #matches} are relative to the context, with {@code /} separators.
 */
public final class IgnoreRules {
  /** The pattern results at directories this thread asked about last, by directory. */
  private final ThreadLocal<Map<String, Level>> parentResults =
      ThreadLocal.withInitial(HashMap::new);
  private final List<IgnorePattern> patterns;
  private final IgnorePattern[] patternArray;
  private final Path source;
  /**
   * The patterns a path can only match if one of its components is this name (a component of the
   * pattern without wildcards), by that name; see {@link IgnorePattern#requiredComponent}.
   */
  private final Map<String, long[]> byComponent = new HashMap<>();
  /** The patterns without such a component: tried at every path. */
  private final long[] unindexed;

  /**
   * What is known at one directory: which patterns matched it, and which ones a path at or below
   * it could match (its components' indexed patterns and the unindexed ones).
   */
  private record Level(long[] matched, long[] candidates) {}

  private IgnoreRules(List<IgnorePattern> patterns, Path source) {
    this.patterns = List.copyOf(patterns);
    this.patternArray = this.patterns.toArray(new IgnorePattern[0]);
    this.source = source;
    this.unindexed = new long[(patterns.size() + 63) >>> 6];
    for (int i = 0; i < patterns.size(); i++) {
      String component = patterns.get(i).requiredComponent();
      long[] set =
          component == null ? unindexed : byComponent.computeIfAbsent(component, c -> bits());
      set[i >>> 6] |= 1L << i;
    }
  }

  private long[] bits() {
    return new long[unindexed.length];
  }

  /** Rules that ignore nothing. */
  public static IgnoreRules none() {
    return new IgnoreRules(List.of(), null);
  }

  /**
   * The ignore file that applies to a build, in order of preference: {@code <recipe
   * name>.dockerignore} next to the recipe, else {@code .containerignore} in the context (as podman
   * and buildah read), else {@code .dockerignore} in the context.
   *
   * @param recipeFile the recipe, or null when it does not come from a file
   */
  public static Optional<Path> locate(Path contextDir, Path recipeFile) {
    List<Path> candidates = new ArrayList<>();
    if (recipeFile != null && recipeFile.getFileName() != null) {
      candidates.add(recipeFile.resolveSibling(recipeFile.getFileName() + ".dockerignore"));
    }
    candidates.add(contextDir.resolve(".containerignore"));
    candidates.add(contextDir.resolve(".dockerignore"));
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * Loads the rules for a build ({@link #locate}); none when there is no ignore file.
   *
   * @throws IOException if the file cannot be read or holds an invalid pattern
   */
  public static IgnoreRules load(Path contextDir, Path recipeFile) throws IOException {
    Optional<Path> file = locate(contextDir, recipeFile);
    if (file.isEmpty()) {
      return none();
    }
    // Bytes, as BuildKit reads it: a pattern that is not UTF-8 is kept, never an encoding error.
    String text = RecipeText.read(file.get());
    try {
      return new IgnoreRules(compileAll(text), file.get());
    } catch (IllegalArgumentException e) {
      throw new IOException(file.get() + ": " + e.getMessage());
    }
  }

  /**
   * Rules from the text of an ignore file.
   *
   * @throws IllegalArgumentException for an invalid pattern (a lone {@code !}, a bad class)
   */
  public static IgnoreRules parse(String text) {
    return new IgnoreRules(compileAll(text), null);
  }

  /** Whether there are no patterns (nothing is ignored). */
  public boolean isEmpty() {
    return patterns.isEmpty();
  }

  /** The ignore file the rules came from, if any. */
  public Optional<Path> source() {
    return Optional.ofNullable(source);
  }

  /** The cleaned patterns in order, exceptions with their {@code !}. */
  public List<String> patterns() {
    List<String> out = new ArrayList<>();
    for (IgnorePattern p : patterns) {
      out.add(p.exception() ? "!" + p.text() : p.text());
    }
    return out;
  }

  /**
   * Whether {@code path} (relative to the context, {@code /}-separated) is excluded from it, as
   * fsutil decides while it walks the context down from its root (patternmatcher's {@code
   * MatchesUsingParentResults}): at each directory on the way and at the path itself, the
   * patterns are tried in order, the last one that matches decides, and a pattern that matched a
   * parent directory matches everything below it. A pattern is only tried where it could change
   * the outcome so far (an exclusion while not excluded, an exception while excluded), so that
   * whether {@code !a} re-includes {@code a/b/c} after {@code a/b} depends on the order of the
   * lines, as in BuildKit.
   */
  public boolean matches(String path) {
    if (patterns.isEmpty()) {
      return false;
    }
    // A walk asks with clean relative paths: cleaning each again cost a split and a join a file.
    String file = isClean(path) ? path : clean(path);
    if (file.startsWith("/")) {
      file = file.substring(1);
    }
    // The results at the parent directories are those of the path's siblings too: a walk asks
    // for a directory's children one after another, so they are remembered for the directories
    // last asked about (patternmatcher's parent results, kept across calls).
    Map<String, Level> known = parentResults.get();
    Level parent = null;
    int end = file.lastIndexOf('/');
    while (end >= 0) {
      parent = known.get(file.substring(0, end));
      if (parent != null) {
        break;
      }
      end = file.lastIndexOf('/', end - 1);
    }
    long[] candidates = parent != null ? parent.candidates() : unindexed;
    long[] parentMatched = parent != null ? parent.matched() : null;
    boolean excluded = false;
    do {
      int start = end + 1;
      end = file.indexOf('/', start);
      boolean last = end < 0;
      String at = last ? file : file.substring(0, end);
      // A pattern naming a component this path lacks cannot match it: with hundreds of patterns,
      // one lookup of the new component here spares trying each of them on every file.
      long[] named = byComponent.isEmpty() ? null
          : byComponent.get(last ? file.substring(start) : file.substring(start, end));
      if (named != null) {
        long[] union = candidates.clone();
        for (int w = 0; w < union.length; w++) {
          union[w] |= named[w];
        }
        candidates = union;
      }
      // Only the patterns that matched the parent or could match here are looked at, in order;
      // any other neither matches nor changes the outcome. The path's own results are kept
      // only for a directory on the way, whose children come next.
      long[] matched = last ? null : new long[candidates.length];
      excluded = false;
      for (int w = 0; w < candidates.length; w++) {
        long inherited = parentMatched == null ? 0 : parentMatched[w];
        for (long bits = candidates[w] | inherited; bits != 0; bits &= bits - 1) {
          long bit = bits & -bits;
          IgnorePattern p = patternArray[(w << 6) + Long.numberOfTrailingZeros(bit)];
          boolean match = (inherited & bit) != 0;
          if (!match) {
            if (p.exception() != excluded) {
              continue; // cannot change the outcome
            }
            match = p.matches(at);
          }
          if (match) {
            if (matched != null) {
              matched[w] |= bit;
            }
            excluded = !p.exception();
          }
        }
      }
      if (!last) {
        if (known.size() >= 256) {
          known.clear();
        }
        known.put(at, new Level(matched, candidates));
      }
      parentMatched = matched;
    } while (end >= 0);
    return excluded;
  }

  /**
   * Whether a walk of the context can skip directory {@code dir} without looking inside: it is
   * excluded and no exception pattern could re-include anything below it.
   */
  public boolean canSkipDirectory(String dir) {
    if (!matches(dir)) {
      return false;
    }
    String cleaned = clean(dir);
    String[] components = cleaned.equals(".") ? new String[0] : cleaned.split("/");
    for (IgnorePattern p : patterns) {
      if (p.exception() && p.couldMatchBelow(components)) {
        return false;
      }
    }
    return true;
  }

  private static List<IgnorePattern> compileAll(String text) {
    List<IgnorePattern> out = new ArrayList<>();
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    int lineNumber = 0;
    for (String line : text.split("\n", -1)) {
      lineNumber++;
      if (line.startsWith("#")) {
        continue;
      }
      String pattern = line.strip();
      if (pattern.isEmpty()) {
        continue;
      }
      boolean exception = pattern.charAt(0) == '!';
      if (exception) {
        pattern = pattern.substring(1).strip();
        if (pattern.isEmpty()) {
          throw new IllegalArgumentException(
              "line " + lineNumber + ": illegal exclusion pattern: \"!\"");
        }
      }
      pattern = clean(pattern);
      if (pattern.length() > 1 && pattern.charAt(0) == '/') {
        pattern = pattern.substring(1);
      }
      try {
        out.add(IgnorePattern.compile(pattern, exception));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "line " + lineNumber + ": invalid pattern \"" + pattern + "\"");
      }
    }
    return out;
  }

  /**
   * Whether {@link #clean} would give {@code path} back unchanged and relative: not empty, no
   * leading or trailing slash, no empty, {@code .} or {@code ..} component.
   */
  static boolean isClean(String path) {
    int n = path.length();
    if (n == 0 || path.charAt(0) == '/' || path.charAt(n - 1) == '/') {
      return false;
    }
    int componentStart = 0;
    for (int i = 0; i <= n; i++) {
      if (i == n || path.charAt(i) == '/') {
        int len = i - componentStart;
        if (len == 0
            || (len == 1 && path.charAt(componentStart) == '.')
            || (len == 2 && path.charAt(componentStart) == '.'
                && path.charAt(componentStart + 1) == '.')) {
          return false;
        }
        componentStart = i + 1;
      }
    }
    return true;
  }

  /** Lexical cleaning like Go's {@code filepath.Clean}. */
  static String clean(String path) {
    if (path.isEmpty()) {
      return ".";
    }
    boolean rooted = path.startsWith("/");
    Deque<String> out = new ArrayDeque<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!out.isEmpty() && !out.peekLast().equals("..")) {
          out.removeLast();
        } else if (!rooted) {
          out.addLast("..");
        }
        continue;
      }
      out.addLast(part);
    }
    String joined = String.join("/", out);
    if (rooted) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }
}
