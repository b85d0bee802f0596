package dev.lamina.cli;

import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.posix.FileNames;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Where commands print: tables for people, JSON for programs. */
final class Output {
  private Output() {}

  static PrintStream out() {
    return System.out;
  }

  /**
   * Prints a line holding file names with their bytes as they are, as ls and docker do: a name
   * that is not UTF-8 keeps its bytes instead of the charset's stand-in, so two such names print
   * as two.
   */
  static void fileNamesLine(String line) {
    PrintStream out = out();
    out.writeBytes(FileNames.encode(line + "\n"));
    out.flush();
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
