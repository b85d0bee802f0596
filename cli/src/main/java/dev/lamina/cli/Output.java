package dev.lamina.cli;

import dev.lamina.layerfs.oci.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Where commands print: tables for people, JSON for programs. */
final class Output {
  private Output() {}

  static PrintStream out() {
    return System.out;
  }

  /** Prints {@code value} as indented JSON. */
  static void json(Object value) {
    out().println(Json.toPrettyString(value));
  }

  /** Prints rows as a left-aligned table with three spaces between columns, like docker. */
  static void table(List<String> header, List<List<String>> rows) {
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    int[] widths = new int[header.size()];
    for (List<String> row : all) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (List<String> row : all) {
      sb.setLength(0);
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i);
        sb.append(cell);
        if (i < row.size() - 1) {
          sb.append(" ".repeat(widths[i] - cell.length() + 3));
        }
      }
      out().println(sb.toString().stripTrailing());
    }
  }
}
