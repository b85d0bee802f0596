package dev.lamina.cli;

import java.lang.management.ManagementFactory;

/**
 * The main class of the jar {@link LauncherTest} puts under a copy of {@code bin/lamina}: prints
 * its arguments, the class-data archive its JVM was given, where jffi is to find its stub (when
 * it is told) and whether it runs with G1, and makes no output when trained (the training's arguments are added to the
 * file {@code LAUNCHER_PROBE_TRAININGS} names, when it is set; the training {@code
 * LAUNCHER_PROBE_FAILING_TRAINING} names fails).
 */
public final class LauncherProbe {
  private LauncherProbe() {}

  public static void main(String[] args) {
    if (args.length >= 1 && args[0].equals(TrainCommand.NAME)) {
      if (String.join(" ", args).equals(System.getenv("LAUNCHER_PROBE_FAILING_TRAINING"))) {
        System.exit(1);
      }
      String trainings = System.getenv("LAUNCHER_PROBE_TRAININGS");
      if (trainings != null) {
        try {
          java.nio.file.Files.writeString(
              java.nio.file.Path.of(trainings), String.join(" ", args) + "\n",
              java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      return;
    }
    String archive = "none";
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("-XX:SharedArchiveFile=")) {
        archive = a.substring(a.indexOf('=') + 1);
      }
    }
    String jffi = System.getProperty("jffi.boot.library.path");
    boolean g1 = ManagementFactory.getGarbageCollectorMXBeans().stream()
        .anyMatch(gc -> gc.getName().startsWith("G1"));
    System.out.println("args=" + String.join(" ", args) + " archive=" + archive
        + (jffi == null ? "" : " jffi=" + jffi) + (g1 ? " gc=G1" : ""));
  }
}
