package dev.lamina.layerfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.posix.Rootless;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where things live for root and for a user: one place decides. */
class StoreRootsTest {
  @TempDir Path tmp;

  @Test
  void whoItWorksFor_theMarkerInsideTheNamespaceWins() {
    assertEquals(OptionalInt.empty(), Rootless.user(Map.of(), 0));
    assertEquals(OptionalInt.of(1000), Rootless.user(Map.of(), 1000));
    // Inside the user's namespace the process is uid 0, and still works for the user.
    assertEquals(OptionalInt.of(1000), Rootless.user(Map.of(Rootless.ENV, "1000"), 0));
  }

  @Test
  void configAndRuntimeDirectories() throws IOException {
    Path home = Path.of("/home/u");
    assertEquals(Path.of("/etc/lamina"), StoreRoots.configDir(Map.of(), true, home));
    assertEquals(Path.of("/home/u/.config/lamina"), StoreRoots.configDir(Map.of(), false, home));
    assertEquals(Path.of("/cfg/lamina"),
        StoreRoots.configDir(Map.of("XDG_CONFIG_HOME", "/cfg"), false, home));
    assertEquals(Path.of("/run/lamina"),
        StoreRoots.runtimeDir(Map.of(), OptionalInt.empty(), 0));
    int euid = Posix.geteuid();
    assertEquals(tmp.resolve("lamina"), StoreRoots.runtimeDir(
        Map.of("XDG_RUNTIME_DIR", tmp.toString()), OptionalInt.of(1000), euid));
    // Not the user's own (or unset): a private directory under /tmp instead.
    assertEquals(Path.of("/tmp/lamina-run-1000"), StoreRoots.runtimeDir(
        Map.of("XDG_RUNTIME_DIR", tmp.toString()), OptionalInt.of(1000), euid + 1));
    assertEquals(Path.of("/tmp/lamina-run-1000"),
        StoreRoots.runtimeDir(Map.of(), OptionalInt.of(1000), euid));
  }

  @Test
  void privateDir_madeWithMode0700_refusedWhenOpenToOthers() throws IOException {
    Path made = StoreRoots.privateDir(tmp.resolve("run/lamina"));
    assertEquals(0700, Posix.lstat(made).mode() & 0777);
    Path open = Files.createDirectories(tmp.resolve("open"));
    Posix.chmod(open, 0755);
    assertThrows(IOException.class, () -> StoreRoots.privateDir(open));
    assertFalse(Files.exists(tmp.resolve("file")));
  }
}
