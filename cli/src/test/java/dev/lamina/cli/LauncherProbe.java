package dev.lamina.cli;

import java.lang.management.ManagementFactory;

/**
 * The main class of the jar {@link LauncherTest} puts under a copy of {@code bin/lamina}: prints
 * its arguments, the class-data archive its JVM was given and where jffi is to find its stub
 * (when it is told), and makes no output when trained.
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
    String jffi = System.getProperty("jffi.boot.library.path");
    System.out.println("args=" + String.join(" ", args) + " archive=" + archive
        + (jffi == null ? "" : " jffi=" + jffi));
  }
}
