package dev.lamina.cli.template;

import java.util.ArrayList;
import java.util.List;

/**
 * Aligns tab-separated cells in columns, as Go's text/tabwriter does with the settings docker's
 * tables use (minimum width 10, padding 3, blanks): a column is the run of consecutive lines that
 * have a cell there, as wide as its widest cell plus the padding; the text after a line's last
 * tab is not part of a column.
 */
public final class TabWriter {
  private static final int MIN_WIDTH = 10;
  private static final int PADDING = 3;

  private final List<List<String>> lines = new ArrayList<>();
  private final List<Integer> widths = new ArrayList<>();
  private final StringBuilder out = new StringBuilder();

  private TabWriter(String text) {
    for (String line : text.split("\n", -1)) {
      lines.add(List.of(line.split("\t", -1)));
    }
    // "a\n" is one line, not a line and an empty one.
    if (text.endsWith("\n")) {
      lines.remove(lines.size() - 1);
    }
  }

  /** {@code text} with its cells aligned; every line ends with a newline. */
  public static String align(String text) {
    TabWriter w = new TabWriter(text);
    w.format(0, w.lines.size());
    return w.out.toString();
  }

  private void format(int line0, int line1) {
    int column = widths.size();
    for (int i = line0; i < line1; i++) {
      if (column >= lines.get(i).size() - 1) {
        continue;
      }
      // A column block starts here: print the lines before it, then measure the block.
      write(line0, i);
      line0 = i;
      int width = MIN_WIDTH;
      for (; i < line1; i++) {
        List<String> cells = lines.get(i);
        if (column >= cells.size() - 1) {
          break;
        }
        String cell = cells.get(column);
        width = Math.max(width, cell.codePointCount(0, cell.length()) + PADDING);
      }
      widths.add(width);
      format(line0, i);
      widths.remove(widths.size() - 1);
      line0 = i;
      i--;
    }
    write(line0, line1);
  }

  private void write(int line0, int line1) {
    for (int i = line0; i < line1; i++) {
      List<String> cells = lines.get(i);
      for (int j = 0; j < cells.size(); j++) {
        String cell = cells.get(j);
        out.append(cell);
        if (j < widths.size() && j < cells.size() - 1) {
          out.append(" ".repeat(Math.max(0, widths.get(j) - cell.codePointCount(0, cell.length()))));
        }
      }
      out.append('\n');
    }
  }
}
