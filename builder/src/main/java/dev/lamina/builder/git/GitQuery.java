package dev.lamina.builder.git;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The query of a git URL, BuildKit's newer way to say what its fragment says and more
 * ({@code dfgitutil}): {@code ref}, {@code tag} (a name under {@code refs/tags/}), {@code branch}
 * (under {@code refs/heads/}), {@code subdir}, {@code checksum} or its alias {@code commit} (the
 * ref when no other names one), and {@code keep-git-dir} and {@code submodules}, booleans that a
 * bare key sets. Every key is given at most once and with a value; an unknown key is an error,
 * and so is a ref or subdir that contradicts the fragment's.
 *
 * @param ref the ref, the fragment's included; empty when none is named
 * @param subdir the subdirectory as written, the fragment's included; empty when none
 * @param checksum the commit prefix to check, or null
 * @param keepGitDir {@code keep-git-dir}'s value, or null when absent
 * @param submodules false only for {@code submodules=false}
 */
record GitQuery(String ref, String subdir, String checksum, Boolean keepGitDir,
    boolean submodules) {

  /** A query BuildKit would refuse; the message says why, without the URL. */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message);
    }
  }

  /**
   * Parses {@code query} (without its {@code ?}; empty for none) on top of the fragment's
   * {@code ref} and {@code subdir} (each empty when not given).
   */
  static GitQuery parse(String query, String ref, String subdir) throws Invalid {
    String checksum = null;
    Boolean keepGitDir = null;
    boolean submodules = true;
    String tag = "";
    String branch = "";
    for (Map.Entry<String, List<String>> e : pairs(query).entrySet()) {
      String key = e.getKey();
      List<String> values = e.getValue();
      if (values.size() > 1) {
        throw new Invalid("query \"" + key + "\" has multiple values");
      }
      String value = values.get(0);
      boolean flag = key.equals("keep-git-dir") || key.equals("submodules");
      if (value.isEmpty() && !flag) {
        throw new Invalid("query \"" + key + "\" has no value");
      }
      switch (key) {
        case "ref" -> {
          if (!ref.isEmpty() && !ref.equals(value)) {
            throw new Invalid("ref conflicts: \"" + ref + "\" vs \"" + value + "\"");
          }
          ref = value;
        }
        case "tag" -> tag = value;
        case "branch" -> branch = value;
        case "subdir" -> {
          if (!subdir.isEmpty() && !subdir.equals(value)) {
            throw new Invalid("subdir conflicts: \"" + subdir + "\" vs \"" + value + "\"");
          }
          subdir = value;
        }
        case "checksum", "commit" -> checksum = value;
        case "keep-git-dir" -> keepGitDir = bool(key, value);
        case "submodules" -> submodules = bool(key, value);
        default -> throw new Invalid("unexpected query \"" + key + "\" (supported: ref, tag,"
            + " branch, subdir, checksum, commit, keep-git-dir, submodules)");
      }
    }
    if (!tag.isEmpty()) {
      ref = under("refs/tags/", tag, ref);
    }
    if (!branch.isEmpty()) {
      if (!tag.isEmpty()) {
        throw new Invalid("branch conflicts with tag");
      }
      ref = under("refs/heads/", branch, ref);
    }
    if (checksum != null && ref.isEmpty()) {
      ref = checksum;
    }
    return new GitQuery(ref, subdir, checksum, keepGitDir, submodules);
  }

  /** {@code name} under {@code prefix}, unless written so; it must agree with {@code ref}. */
  private static String under(String prefix, String name, String ref) throws Invalid {
    String full = name.startsWith(prefix) ? name : prefix + name;
    if (!ref.isEmpty() && !ref.equals(full)) {
      throw new Invalid("ref conflicts: \"" + ref + "\" vs \"" + full + "\"");
    }
    return full;
  }

  /** Go's {@code strconv.ParseBool}, as BuildKit reads these; a bare key means true. */
  private static boolean bool(String key, String value) throws Invalid {
    return switch (value) {
      case "", "1", "t", "T", "true", "TRUE", "True" -> true;
      case "0", "f", "F", "false", "FALSE", "False" -> false;
      default -> throw new Invalid("invalid " + key + " value: \"" + value + "\"");
    };
  }

  /**
   * The query's keys with their values, decoded as Go's {@code url.ParseQuery} decodes them
   * ({@code %XX} escapes, {@code +} for a space). Go drops a pair with a {@code ;} or a bad
   * escape without a word; this refuses it, so a typo does not silently pick another ref.
   */
  private static Map<String, List<String>> pairs(String query) throws Invalid {
    Map<String, List<String>> pairs = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      if (pair.indexOf(';') >= 0) {
        throw new Invalid("invalid semicolon separator in query");
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      pairs.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return pairs;
  }

  private static String decode(String s) throws Invalid {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new Invalid("invalid escape in query: \"" + s + "\"");
    }
  }
}
