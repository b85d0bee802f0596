package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NamespaceProcessesTest {
  @Test
  void filter_keepsTheHeaderAndTheRowsOfThePids_byThePidColumn() throws Exception {
    String ps = "UID        PID  PPID  C STIME TTY          TIME CMD\n"
        + "root         1     0  0 10:00 ?        00:00:00 init\n"
        + "root        42     1  0 10:00 ?        00:00:00 sleep 1\n"
        + "root       420    42  0 10:00 ?        00:00:00 sh -c 42\n";
    assertEquals("UID        PID  PPID  C STIME TTY          TIME CMD\n"
            + "root       420    42  0 10:00 ?        00:00:00 sh -c 42\n",
        NamespaceProcesses.filter(ps, Set.of(420L)));
    ContainerException noPid = assertThrows(ContainerException.class,
        () -> NamespaceProcesses.filter("COMMAND\nsleep\n", Set.of(1L)));
    assertTrue(noPid.getMessage().contains("PID column"), noPid.getMessage());
  }

  @Test
  void list_findsThisProcess_inItsOwnNamespace() throws Exception {
    long self = ProcessHandle.current().pid();
    String out = NamespaceProcesses.list(self, List.of("-o", "pid,comm"));
    assertTrue(out.lines().anyMatch(l -> l.strip().startsWith(self + " ")), out);
  }
}
