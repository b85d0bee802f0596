package dev.lamina.builder.recipe;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean ...?" hints: the closest candidate by edit distance, if close enough. */
public final class Suggestions {
  private Suggestions() {}

  /**
   * The candidate closest to {@code word}: an exact case-insensitive match, else one at most two
   * edits away (and fewer edits than the word has characters); null if none.
   */
  public static String closest(String word, Collection<String> candidates) {
    if (word == null || word.isEmpty()) {
      return null;
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      if (candidate.equals(word)) {
        continue;
      }
      if (candidate.equalsIgnoreCase(word)) {
        return candidate;
      }
      int d = distance(word.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return bestDistance <= 2 && bestDistance < word.length() ? best : null;
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
