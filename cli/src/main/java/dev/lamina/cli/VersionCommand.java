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
    var info = new java.util.LinkedHashMap<String, String>();
    info.put("Version", Main.version());
    info.put("Java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
    info.put("OS/Arch", "linux/" + dev.lamina.layerfs.oci.Platform.host().architecture());
    if (format.json()) {
      Output.json(info);
    } else {
      info.forEach((k, v) -> Output.out().printf("%-9s %s%n", k + ":", v));
    }
    return ExitCodes.OK;
  }
}
