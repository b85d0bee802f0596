package dev.lamina.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code lamina version}: versions of Lamina, Java and the host. */
@Command(name = "version", description = "Show the Lamina version.")
final class VersionCommand implements Callable<Integer> {
  @Mixin FormatOption format;

  @Override
  public Integer call() {
    var info = info();
    if (!format.json() && !format.defaultTable()) {
      // docker's template names: {{.Client.Version}}, {{.Client.Os}}, {{.Client.Arch}}.
      var client = new java.util.LinkedHashMap<String, Object>();
      client.put("Version", Main.version());
      client.put("JavaVersion", System.getProperty("java.version"));
      client.put("Os", "linux");
      client.put("Arch", dev.lamina.layerfs.oci.Platform.host().architecture());
      var row = new java.util.LinkedHashMap<String, Object>(info);
      row.put("Client", client);
      format.printed(java.util.List.of(row), java.util.Map.of());
      return ExitCodes.OK;
    }
    if (format.json()) {
      Output.json(info);
    } else {
      printTable(info);
    }
    return ExitCodes.OK;
  }

  /** The default output, also given without picocli (see {@link QuickCommands}). */
  static void printTable() {
    printTable(info());
  }

  /**
   * Each line as {@code printf("%-9s %s%n", key + ":", value)} would print it, without the
   * lambda and the format parser: their first use costs more than the rest of this command.
   */
  private static void printTable(java.util.Map<String, String> info) {
    StringBuilder lines = new StringBuilder();
    for (java.util.Map.Entry<String, String> e : info.entrySet()) {
      int start = lines.length();
      lines.append(e.getKey()).append(':');
      while (lines.length() - start < 9) {
        lines.append(' ');
      }
      lines.append(' ').append(e.getValue()).append(System.lineSeparator());
    }
    Output.out().print(lines);
    Output.out().flush();
  }

  private static java.util.LinkedHashMap<String, String> info() {
    var info = new java.util.LinkedHashMap<String, String>();
    info.put("Version", Main.version());
    info.put("Java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
    info.put("OS/Arch", "linux/" + dev.lamina.layerfs.oci.Platform.host().architecture());
    return info;
  }
}
