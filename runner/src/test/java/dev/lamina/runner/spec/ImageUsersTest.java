package dev.lamina.runner.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageUsersTest {
  private static final String PASSWD =
      "root:x:0:0:root:/root:/bin/sh\n"
          + "# comment\n"
          + "app:x:1000:1001:app:/home/app:/bin/sh\n"
          + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
  private static final String GROUP =
      "root:x:0:\nstaff:x:50:app,other\napp:x:1001:\nnogroup:x:65534:\n";

  @TempDir Path tmp;
  private Path root;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(tmp.resolve("rootfs"));
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), PASSWD);
    Files.writeString(root.resolve("etc/group"), GROUP);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''          | 0     | 0     | ''    | /root",
        "root        | 0     | 0     | ''    | /root",
        "app         | 1000  | 1001  | 50    | /home/app",
        "1000        | 1000  | 1001  | 50    | /home/app",
        "4242        | 4242  | 0     | ''    | /",
        "1000:7      | 1000  | 7     | 7     | /home/app",
        "app:staff   | 1000  | 50    | 50    | /home/app",
        "nobody      | 65534 | 65534 | ''    | /nonexistent",
        "4242:nogroup| 4242  | 65534 | 65534 | /",
      })
  void resolve_table(String spec, int uid, int gid, String extra, String home) throws IOException {
    ResolvedUser u = ImageUsers.resolve(root, spec);
    assertEquals(uid, u.uid());
    assertEquals(gid, u.gid());
    assertEquals(extra.isEmpty() ? List.of() : List.of(Integer.parseInt(extra)), u.additionalGids());
    assertEquals(home, u.home());
  }

  @Test
  void resolve_unknownName_clearError() {
    UnknownUserException e =
        assertThrows(UnknownUserException.class, () -> ImageUsers.resolve(root, "ghost"));
    assertTrue(e.getMessage().contains("ghost"), e.getMessage());
  }

  @Test
  void resolve_unknownGroup_clearError() {
    assertThrows(UnknownUserException.class, () -> ImageUsers.resolve(root, "app:ghosts"));
  }

  @Test
  void resolve_passwdAbsoluteSymlinkToHost_readInsideRoot() throws IOException {
    // /etc/passwd -> /host-passwd must mean <root>/host-passwd, never the host file.
    Path host = Files.writeString(tmp.resolve("host-passwd"), "hostonly:x:7:7::/:/bin/sh\n");
    Files.delete(root.resolve("etc/passwd"));
    Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("/../../" + tmp + "/host-passwd"));
    assertTrue(Files.exists(host));

    assertThrows(UnknownUserException.class, () -> ImageUsers.resolve(root, "hostonly"));
  }

  @Test
  void resolve_passwdSymlinkedInsideRoot_followed() throws IOException {
    Files.move(root.resolve("etc/passwd"), root.resolve("etc/passwd.real"));
    Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("../etc/./passwd.real"));
    assertEquals(1000, ImageUsers.resolve(root, "app").uid());
  }

  @Test
  void resolve_passwdIsFifo_refusedWithoutHanging() throws IOException {
    Files.delete(root.resolve("etc/passwd"));
    Posix.mknod(root.resolve("etc/passwd"), FileStat.S_IFIFO | 0644, 0, 0);
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> assertThrows(IOException.class, () -> ImageUsers.resolve(root, "app")));
  }

  @Test
  void resolve_passwdTooLarge_refused() throws IOException {
    Files.write(root.resolve("etc/passwd"), new byte[RootFiles.MAX_BYTES + 1]);
    assertThrows(IOException.class, () -> ImageUsers.resolve(root, "app"));
  }

  @Test
  void resolve_symlinkLoop_refused() throws IOException {
    Files.delete(root.resolve("etc/passwd"));
    Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("/etc/passwd"));
    assertThrows(IOException.class, () -> ImageUsers.resolve(root, "app"));
  }

  @Test
  void resolve_noAccountFiles_numericStillWorks() throws IOException {
    Path bare = Files.createDirectories(tmp.resolve("bare"));
    assertEquals(5, ImageUsers.resolve(bare, "5:6").uid());
    assertThrows(UnknownUserException.class, () -> ImageUsers.resolve(bare, "app"));
  }
}
