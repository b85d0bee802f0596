package dev.lamina.runner.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where netavark is missing, the error names the package to install. */
class NetavarkLocateTest {
  @Test
  void missing_namesThePackage(@TempDir Path empty) {
    NetavarkNotFoundException e =
        assertThrows(NetavarkNotFoundException.class, () -> Netavark.locate(List.of(empty)));
    assertTrue(e.getMessage().startsWith("netavark is not installed"), e.getMessage());
    assertTrue(e.getMessage().endsWith("install the Debian package netavark (apt-get install netavark aardvark-dns)"));
  }

  @Test
  void aardvarkMissing_namesItsPackage(@TempDir Path dir) throws IOException {
    Path n = Files.createFile(dir.resolve("netavark"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Netavark found = Netavark.locate(List.of(dir));
    assertEquals(n, found.binary());
    NetavarkNotFoundException e = assertThrows(NetavarkNotFoundException.class, found::requireAardvark);
    assertEquals(
        "aardvark-dns is not installed: install the Debian package aardvark-dns (apt-get install aardvark-dns)",
        e.getMessage());
  }
}
