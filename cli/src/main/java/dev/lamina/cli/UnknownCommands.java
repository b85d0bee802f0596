package dev.lamina.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Tells an unknown command from other stray words, and suggests the nearest command. */
final class UnknownCommands {
  private UnknownCommands() {}

  /**
   * For a command that has subcommands and got an unknown word in their place: {@code 'imgaes'
   * is not a lamina command; did you mean images?}; null for other stray arguments.
   */
  static String describe(CommandLine cmd, List<String> unmatched) {
    Map<String, CommandLine> subs = cmd.getSubcommands();
    if (subs.isEmpty() || unmatched.isEmpty()) {
      return null;
    }
    String word = unmatched.get(0);
    if (word.startsWith("-")) {
      return null;
    }
    String path = cmd.getParent() == null ? "lamina" : "lamina " + cmd.getCommandName();
    String nearest = nearest(word, visible(subs));
    return "'" + Excerpts.line(word) + "' is not a " + path + " command"
        + (nearest == null ? "" : "; did you mean " + nearest + "?");
  }

  private static List<String> visible(Map<String, CommandLine> subs) {
    List<String> names = new ArrayList<>();
    subs.forEach((name, c) -> {
      if (!c.getCommandSpec().usageMessage().hidden()) {
        names.add(name);
      }
    });
    return names;
  }

  /**
   * The name closest to {@code word} by edit distance (a swap of two neighbours counts as one
   * edit), if it is close enough to be a typo: at most a third of the longer one's length (at
   * least 1), or the word starts it.
   */
  static String nearest(String word, List<String> names) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String n : names) {
      int d = distance(word, n);
      int allowed = Math.max(1, Math.max(word.length(), n.length()) / 3);
      if (d < bestDistance && (d <= allowed || n.startsWith(word) && word.length() >= 2)) {
        best = n;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, neighbour swaps. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
