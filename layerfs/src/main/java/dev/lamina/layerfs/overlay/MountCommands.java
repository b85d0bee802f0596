package dev.lamina.layerfs.overlay;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The system's {@code mount(8)} and {@code umount(8)}, for the common, simple case. A short-lived
 * CLI pays about 0.1 s to load the native binding {@code Posix} uses (jnr-ffi generates classes
 * as it loads), where running a command costs a few milliseconds. A false answer (no command,
 * an option string it cannot be trusted with, a failure) tells the caller to use {@code Posix},
 * whose errors carry the kernel's own words.
 */
final class MountCommands {
  /**
   * Paths passed on: libmount splits options on {@code ,}, quotes with {@code "} and overlayfs
   * escapes with {@code \}, so anything beyond these plain characters goes through {@code Posix}.
   */
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9/._+@~-]+");

  private static final List<String> DIRS = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin");
  private static final File NULL = new File("/dev/null");

  private MountCommands() {}

  /** Whether {@code path} may be passed to the commands as it is. */
  static boolean plain(Path path) {
    return path.isAbsolute() && PLAIN.matcher(path.toString()).matches();
  }

  /**
   * Mounts an overlay with the classic option string on {@code target}; true when it did.
   * {@code -i}: no {@code mount.overlay} helper; {@code -n}: nothing written to utab.
   */
  static boolean mountOverlay(String options, Path target) {
    return run("mount", "-i", "-n", "-t", "overlay", "-o", options, "overlay", target.toString());
  }

  /** Unmounts {@code target} (not lazily); true when it did. */
  static boolean unmount(Path target) {
    return plain(target) && run("umount", "-i", "-n", target.toString());
  }

  private static boolean run(String tool, String... args) {
    Path exe = find(tool);
    if (exe == null) {
      return false;
    }
    List<String> command = new ArrayList<>(List.of(exe.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(NULL))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    // No LIBMOUNT_FSTAB, LIBMOUNT_DEBUG and the like from the caller's environment.
    pb.environment().clear();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return false;
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          // Waited out even when interrupted: the caller must know whether it mounted.
          return p.waitFor() == 0;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static Path find(String tool) {
    for (String dir : DIRS) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
