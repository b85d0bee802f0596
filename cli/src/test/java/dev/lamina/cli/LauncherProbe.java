package dev.lamina.cli;

import java.lang.management.ManagementFactory;

/**
 * The main class of the jar {@link LauncherTest} puts under a copy of {@code bin/lamina}: prints
 * its arguments and the class-data archive its JVM was given, and makes no output when trained.
 */
public final class LauncherProbe {
  private LauncherProbe() {}

  public static void main(String[] args) {
    if (args.length == 1 && args[0].equals(TrainCommand.NAME)) {
      return;
    }
    String archive = "none";
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("-XX:SharedArchiveFile=")) {
        archive = a.substring(a.indexOf('=') + 1);
      }
    }
    System.out.println("args=" + String.join(" ", args) + " archive=" + archive);
  }
}
