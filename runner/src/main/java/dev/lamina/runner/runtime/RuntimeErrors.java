package dev.lamina.runner.runtime;

import java.util.Locale;

/** Turns an OCI runtime's error into one line a user can act on. */
public final class RuntimeErrors {
  private RuntimeErrors() {}

  /**
   * A plain-words message for {@code error}, which {@code runtime} logged while doing {@code verb}.
   * Known host problems (a cgroup layout the runtime cannot handle) are explained with the fix.
   */
  public static String explain(String runtime, String verb, String error) {
    error = clean(runtime, verb, error);
    String e = error.toLowerCase(Locale.ROOT);
    if (e.contains("hybrid mode not supported")) {
      return runtime
          + " cannot run containers on this host: it does not support the host's hybrid cgroup"
          + " layout (cgroup v1 controllers with a cgroup v2 mount at /sys/fs/cgroup/unified);"
          + " use --runtime runc, or boot with a unified cgroup v2 hierarchy"
          + " (systemd.unified_cgroup_hierarchy=1)";
    }
    if (e.contains("cgroup")
        && (e.contains("permission denied")
            || e.contains("read-only file system")
            || e.contains("no such file or directory")
            || e.contains("operation not permitted"))) {
      return runtime
          + " could not set up the container's cgroup on this host (the cgroup filesystem is"
          + " missing, read-only or not delegated); resource limits cannot be applied here: "
          + error;
    }
    if (e.contains("executable file not found") || e.contains("no such file or directory")
        && e.contains("exec")) {
      return "container command not found: " + error;
    }
    return runtime + " " + verb + " failed: " + error;
  }

  /**
   * The exception for {@code error}, which {@code runtime} logged while doing {@code verb}, with
   * {@link #explain}'s message. The runtime says why it could not start a command only in words
   * (runc and crun have no error codes), so they are read here, once, and become the exception's
   * type: a command that is not there, or that may not be executed, or another failure.
   */
  public static OciRuntimeException failure(String runtime, String verb, String error) {
    String message = explain(runtime, verb, error);
    String e = clean(runtime, verb, error).toLowerCase(Locale.ROOT);
    if (e.contains("cgroup")) {
      return new OciRuntimeException(message);
    }
    // runc: exec: "x": executable file not found in $PATH; exec: "/x": stat /x: no such file
    // or directory; exec: "/etc/passwd": permission denied. crun: executable file `x` not found
    // in $PATH; open executable: Permission denied.
    boolean aboutCommand =
        e.contains("exec: ") || e.contains("executable") || e.contains("exec the container process");
    if (e.contains("executable file not found")
        || aboutCommand && e.contains("no such file or directory")) {
      return new CommandNotFoundException(message);
    }
    if (aboutCommand && e.contains("permission denied")) {
      return new CommandNotExecutableException(message);
    }
    return new OciRuntimeException(message);
  }

  /**
   * The runtime's own words, once: runc wraps its error in {@code "runc run failed: "} itself
   * ({@code runc exec}: in {@code "exec failed: "}), which {@link #explain} says anyway, and some
   * of its messages carry Go's rendering of a nil
   * wrapped error, {@code %!w(<nil>)}, which says nothing.
   */
  static String clean(String runtime, String verb, String error) {
    String e = error.replace(": %!w(<nil>)", "").replace("%!w(<nil>)", "").strip();
    String own = runtime + " " + verb + " failed: ";
    String bare = verb + " failed: ";
    while (e.startsWith(own) || e.startsWith(bare)) {
      e = e.substring(e.startsWith(own) ? own.length() : bare.length()).strip();
    }
    return e;
  }
}
