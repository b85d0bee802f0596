package dev.lamina.layerfs.tar;

import static dev.lamina.layerfs.tar.TarFixture.charDevice;
import static dev.lamina.layerfs.tar.TarFixture.dirEntry;
import static dev.lamina.layerfs.tar.TarFixture.fifo;
import static dev.lamina.layerfs.tar.TarFixture.fileEntry;
import static dev.lamina.layerfs.tar.TarFixture.hardlinkEntry;
import static dev.lamina.layerfs.tar.TarFixture.symlinkEntry;
import static dev.lamina.layerfs.tar.TarFixture.tar;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same PAX-heavy archive extracted by GNU tar and by LayerApplier gives the same tree: one
 * digest, one meaning (GHSA-3cv2-h65g-fgmm).
 */
class GnuTarDifferentialTest {
  @TempDir Path tmp;

  @Test
  void apply_paxHeavyArchive_matchesGnuTar() throws Exception {
    Path gnuTar = Requirements.tool("tar");
    Requirements.root();
    String longDir = "usr/share/" + "deep-".repeat(30) + "dir";
    byte[] cap = HexFormat.of().parseHex("0100000200200000000000000000000000000000");
    // Entries in tree order with every directory explicit, as layer writers emit them: GNU tar
    // sets a directory's time when the archive leaves it, Lamina at the very end, and the two
    // agree only when a directory's entries are contiguous.
    byte[] archive =
        tar()
            .add(dirEntry("dev").mtime(1_400_000_000))
            .add(charDevice("dev/null", 1, 3))
            .add(dirEntry("etc").mtime(1_400_000_001))
            .add(symlinkEntry("etc/certs", "../" + "../".repeat(40) + "etc/pki/tls/certs"))
            .add(dirEntry("home").mtime(1_400_000_002))
            .add(dirEntry("home/user").mode(0700).owner(1000, 1000).mtime(1_400_000_003))
            .add(fileEntry("home/user/notes", "mine").mode(0600).owner(1000, 1000)
                .xattr("user.comment", "hello").xattr("user.mime_type", "text/plain"))
            .add(symlinkEntry("long-link", "/" + longDir))
            .add(fileEntry("owned", "o").owner(123456, 654321))
            .add(dirEntry("run").mtime(1_400_000_004))
            .add(fifo("run/initctl").mode(0600))
            .add(dirEntry("tmp").mode(01777))
            .add(dirEntry("unicodé").mtime(1_400_000_005))
            .add(fileEntry("unicodé/ファイル", "utf8").mtime(1_234_567_890))
            .add(dirEntry("usr").mtime(1_500_000_000))
            .add(dirEntry("usr/bin").mtime(1_500_000_003))
            .add(fileEntry("usr/bin/ping", "ping").mode(0755).xattr("security.capability", cap))
            .add(fileEntry("usr/bin/sudo", "suid").mode(04755).owner(0, 0))
            .add(fileEntry("usr/bin/wall", "sgid").mode(02755).owner(0, 5))
            .add(dirEntry("usr/lib").mtime(1_500_000_004))
            .add(symlinkEntry("usr/lib/libz.so", "libz.so.1.2.13"))
            .add(fileEntry("usr/lib/libz.so.1.2.13", "zlib").mode(0644))
            .add(hardlinkEntry("usr/lib/libz-copy.so", "usr/lib/libz.so.1.2.13"))
            .add(dirEntry("usr/share").mode(0775).owner(0, 50).mtime(1_500_000_001))
            .add(dirEntry(longDir).mtime(1_500_000_002))
            .add(fileEntry(longDir + "/" + "long-name-".repeat(20) + ".txt", "long")
                .mtime(1_600_000_000).pax("mtime", "1600000000.5"))
            .bytes();
    Path archiveFile = tmp.resolve("layer.tar");
    Files.write(archiveFile, archive);

    Path byGnu = Files.createDirectory(tmp.resolve("gnu"));
    Process p =
        new ProcessBuilder(
                gnuTar.toString(), "-x", "-f", archiveFile.toString(), "-C", byGnu.toString(),
                "--xattrs", "--xattrs-include=*", "--numeric-owner", "--same-owner",
                "--same-permissions")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(60, TimeUnit.SECONDS);
    assertEquals(0, p.exitValue(), out);

    Path byLamina = Files.createDirectory(tmp.resolve("lamina"));
    LayerApplier.apply(
        new ByteArrayInputStream(archive), byLamina,
        ApplyOptions.defaults(WhiteoutFormat.flatten()));

    assertEquals(describe(byGnu), describe(byLamina));
  }

  /** Type, mode, owner, size, content, link target, link count, mtime and xattrs of each path. */
  private static Map<String, String> describe(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (p.equals(root)) {
          continue;
        }
        FileStat st = Posix.lstat(p);
        StringBuilder d = new StringBuilder();
        d.append(Integer.toOctalString(st.mode())).append(' ')
            .append(st.uid()).append(':').append(st.gid())
            .append(" nlink=").append(st.isDirectory() ? "-" : st.nlink());
        if (!st.isSymlink() && !st.isDirectory()) {
          d.append(" mtime=").append(st.mtimeSeconds()).append('.').append(st.mtimeNanos());
        }
        if (st.isDirectory()) {
          d.append(" mtime=").append(st.mtimeSeconds());
        }
        if (st.isRegularFile()) {
          d.append(' ').append(Digest.sha256(Files.readAllBytes(p)));
        } else if (st.isSymlink()) {
          d.append(" -> ").append(Files.readSymbolicLink(p));
        } else if (st.isCharDevice() || st.isBlockDevice()) {
          d.append(" dev=").append(st.rdevMajor()).append(':').append(st.rdevMinor());
        }
        for (String name : Posix.llistxattr(p)) {
          d.append(' ').append(name).append('=')
              .append(HexFormat.of().formatHex(Posix.lgetxattr(p, name).orElseThrow()));
        }
        out.put(root.relativize(p).toString(), d.toString());
      }
    }
    return out;
  }
}
