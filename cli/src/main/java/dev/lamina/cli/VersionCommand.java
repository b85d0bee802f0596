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

  private static void printTable(java.util.Map<String, String> info) {
    info.forEach((k, v) -> Output.out().printf("%-9s %s%n", k + ":", v));
  }

  private static java.util.LinkedHashMap<String, String> info() {
    var info = new java.util.LinkedHashMap<String, String>();
    info.put("Version", Main.version());
    info.put("Java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
    info.put("OS/Arch", "linux/" + dev.lamina.layerfs.oci.Platform.host().architecture());
    return info;
  }
}
