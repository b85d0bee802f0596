package dev.lamina.runner.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuntimeErrorsTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "crun | cgroups in hybrid mode not supported, drop all controllers from cgroupv2"
            + " | hybrid cgroup layout",
        "runc | mkdir /sys/fs/cgroup/pids/x: read-only file system | could not set up",
        "runc | unable to start container process: exec: \"nope\": executable file not found"
            + " in $PATH | container command not found",
        "runc | something else | runc run failed: something else",
      })
  void explain_knownErrors_plainWords(String runtime, String error, String expected) {
    String message = RuntimeErrors.explain(runtime, "run", error);
    assertTrue(message.contains(expected), message);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // runc 1.1 wraps its own error, and renders a nil wrapped error as %!w(<nil>)
        "runc run failed: unable to start container process: error during container init:"
            + " mkdir /etc/passwd: not a directory"
            + " | runc run failed: unable to start container process: error during container init:"
            + " mkdir /etc/passwd: not a directory",
        "runc run failed: unable to create new parent process: %!w(<nil>)"
            + " | runc run failed: unable to create new parent process",
        "write /run/state.json: no space left on device: %!w(<nil>)"
            + " | runc run failed: write /run/state.json: no space left on device",
      })
  void explain_runtimesOwnWrapping_isSaidOnce(String error, String expected) {
    assertEquals(expected, RuntimeErrors.explain("runc", "run", error));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // runc exec wraps its error in "exec failed: ", without its own name
        "exec failed: unable to start container process: exec: \"nope\": executable file not"
            + " found in $PATH | container command not found: unable to start container process:"
            + " exec: \"nope\": executable file not found in $PATH",
        "exec failed: container is paused | runc exec failed: container is paused",
        "runc exec failed: exec failed: container is paused | runc exec failed: container is paused",
      })
  void explain_execsOwnWrapping_isSaidOnce(String error, String expected) {
    assertEquals(expected, RuntimeErrors.explain("runc", "exec", error));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "runc | unable to start container process: exec: \"nope\": executable file not found"
            + " in $PATH | 127",
        "runc | unable to start container process: exec: \"/no/such\": stat /no/such: no such"
            + " file or directory | 127",
        "crun | executable file `nope` not found in $PATH: No such file or directory | 127",
        "runc | unable to start container process: exec: \"/etc/passwd\": permission denied"
            + " | 126",
        "crun | open executable: Permission denied | 126",
        // Words about something else than the command: not a missing or unusable command.
        "runc | error mounting \"/tmp/gone\" to rootfs at \"/data\": stat /tmp/gone: no such"
            + " file or directory | 125",
        "runc | mkdir /sys/fs/cgroup/pids/x: permission denied | 125",
        "runc | container \"x\" not found | 125",
      })
  void failure_typeGivesTheExitCode(String runtime, String error, int code) {
    OciRuntimeException e = RuntimeErrors.failure(runtime, "run", error);
    assertEquals(code, e.exitCode(), e.getMessage());
    assertEquals(RuntimeErrors.explain(runtime, "run", error), e.getMessage());
  }
}
