package dev.lamina.runner.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.runner.internal.ResolvConfFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three files of a container's /etc, made from host files under a temp dir. */
class EtcFilesTest {
  @TempDir Path tmp;

  private EtcFiles host(String resolvConf) throws Exception {
    Files.writeString(tmp.resolve("hosts"), "10.1.1.1\tbuildhost\n");
    Files.writeString(tmp.resolve("resolv.conf"), resolvConf);
    return new EtcFiles(new EtcFiles.HostFiles(
        tmp.resolve("hosts"), tmp.resolve("resolv.conf"), tmp.resolve("systemd-resolv.conf")));
  }

  @Test
  void resolvConf_outsideHostNetwork_dropsLoopbackNameservers_keepsSearchAndOptions()
      throws Exception {
    EtcFiles files = host("# written by hand\nnameserver 127.0.0.1\nnameserver 10.0.0.2\n"
        + "nameserver ::1\nnameserver ::ffff:127.0.0.9\nnameserver fd00::53\n"
        + "domain old.test\nsearch a.test b.test\noptions ndots:2\noptions edns0\n"
        + "sortlist 10.0.0.0\n");
    assertEquals("nameserver 10.0.0.2\nnameserver fd00::53\nsearch a.test b.test\n"
            + "options ndots:2 edns0\nsortlist 10.0.0.0\n",
        files.resolvConf(EtcFiles.Setup.buildStep("lamina", false)));
  }

  @Test
  void resolvConf_onlyLoopbackOrNothing_givesThePublicDefaults() throws Exception {
    String defaults = "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"
        + "nameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844\n";
    assertEquals(defaults + "search x.test\n",
        host("nameserver 127.0.0.1\nsearch x.test\n")
            .resolvConf(EtcFiles.Setup.buildStep("lamina", false)));
    assertEquals(defaults, host("").resolvConf(EtcFiles.Setup.buildStep("lamina", false)));
    Files.delete(tmp.resolve("resolv.conf"));
    EtcFiles missing = new EtcFiles(new EtcFiles.HostFiles(
        tmp.resolve("hosts"), tmp.resolve("resolv.conf"), tmp.resolve("none")));
    assertEquals(defaults, missing.resolvConf(EtcFiles.Setup.buildStep("lamina", true)),
        "even on the host's network, when the host names none");
  }

  @Test
  void resolvConf_onTheHostNetwork_keepsLoopbackResolvers() throws Exception {
    assertEquals("nameserver 127.0.0.1\n",
        host("nameserver 127.0.0.1\n").resolvConf(EtcFiles.Setup.buildStep("lamina", true)));
  }

  @Test
  void resolvConf_systemdResolvedStub_readsItsUpstreamListInstead() throws Exception {
    EtcFiles files = host("nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n");
    Files.writeString(tmp.resolve("systemd-resolv.conf"), "nameserver 192.0.2.7\nsearch lan\n");
    assertEquals("nameserver 192.0.2.7\nsearch lan\n",
        files.resolvConf(EtcFiles.Setup.buildStep("lamina", false)));
    assertEquals("nameserver 127.0.0.53\nsearch lan\noptions edns0 trust-ad\n",
        files.resolvConf(EtcFiles.Setup.buildStep("lamina", true)), "resolved answers there");
  }

  @Test
  void resolvConf_nonAddressNameserversAreDropped_andNothingIsLookedUp() {
    ResolvConfFile conf = ResolvConfFile.parse(
        "nameserver dns.example.invalid\nnameserver 999.1.1.1\nnameserver fe80::1%eth0\n");
    assertEquals(List.of("fe80::1%eth0"), conf.nameservers());
  }

  @Test
  void hosts_ownNetwork_isLoopbackAndTheName_asBuildKitWritesIt() throws Exception {
    assertEquals("127.0.0.1\tlocalhost lamina\n::1\tlocalhost ip6-localhost ip6-loopback\n",
        host("").hosts(EtcFiles.Setup.buildStep("lamina", false)));
    assertEquals(
        host("").hosts(EtcFiles.Setup.container("box", Network.NONE)),
        "127.0.0.1\tlocalhost box\n::1\tlocalhost ip6-localhost ip6-loopback\n");
  }

  @Test
  void hosts_containerOnTheHostNetwork_startsWithTheHostsOwn() throws Exception {
    assertEquals("10.1.1.1\tbuildhost\n127.0.0.1\tlocalhost\n"
            + "::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tbox\n",
        host("").hosts(EtcFiles.Setup.container("box", Network.HOST)));
  }

  @Test
  void write_bindsEachFile_readOnlyForABuildStep_skippingWhatTheUserBinds() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("ctr"));
    List<BindMount> binds = host("nameserver 10.0.0.2\n")
        .write(dir, EtcFiles.Setup.buildStep("lamina", false), Set.of("/etc/resolv.conf"));
    Map<String, BindMount> byDest = new TreeMap<>();
    binds.forEach(b -> byDest.put(b.destination(), b));
    assertEquals(Set.of("/etc/hostname", "/etc/hosts"), byDest.keySet());
    assertTrue(byDest.values().stream().allMatch(BindMount::readOnly));
    assertEquals("lamina\n", Files.readString(byDest.get("/etc/hostname").source()));
    assertEquals(0644, Posix.lstat(byDest.get("/etc/hosts").source()).permissions());
    assertFalse(host("").write(dir, EtcFiles.Setup.container("c", Network.HOST), Set.of())
        .get(0).readOnly(), "a run container may write to its own");
  }

  @Test
  void mountPoints_emptyFilesInEtc_andAFlattenedRootGetsOnlyWhatItLacks() throws Exception {
    Path layer = EtcFiles.mountPointLayer(tmp.resolve("stubs"));
    for (String p : EtcFiles.PATHS) {
      Path f = layer.resolve(p.substring(1));
      assertEquals(0, Files.size(f), p);
      assertEquals(0644, Posix.lstat(f).permissions(), p);
    }
    assertEquals(layer, EtcFiles.mountPointLayer(layer), "idempotent");

    Path root = Files.createDirectories(tmp.resolve("root/etc"));
    Files.writeString(root.resolve("hosts"), "image's own\n");
    Posix.lsetMtime(root, 86400, 5);
    EtcFiles.addMountPoints(root.getParent());
    assertEquals("image's own\n", Files.readString(root.resolve("hosts")));
    assertEquals(0, Files.size(root.resolve("resolv.conf")));
    FileStat etc = Posix.lstat(root);
    assertEquals(List.of(86400L, 5L), List.of(etc.mtimeSeconds(), etc.mtimeNanos()),
        "the image's time of /etc is kept, as under an overlay");

    Path linked = Files.createDirectories(tmp.resolve("linked"));
    Files.createSymbolicLink(linked.resolve("etc"), Path.of("/outside/etc"));
    Files.createSymbolicLink(tmp.resolve("outside"), tmp.resolve("host"));
    assertEquals(List.of("/outside/etc/hostname", "/outside/etc/hosts",
        "/outside/etc/resolv.conf"), EtcFiles.missingMountPoints(linked));
    EtcFiles.addMountPoints(linked);
    assertFalse(Files.exists(tmp.resolve("host")), "a link is followed inside the root only");
    assertEquals(0, Files.size(linked.resolve("outside/etc/hosts")));
    assertEquals(List.of(), EtcFiles.missingMountPoints(linked));
  }

  @Test
  void missingMountPoints_followTheImagesLinks_toWhereTheRuntimeWouldMount() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root/etc"));
    Files.createSymbolicLink(root.resolve("resolv.conf"),
        Path.of("../run/systemd/resolve/stub-resolv.conf"));
    Files.writeString(root.resolve("hosts"), "");
    assertEquals(List.of("/etc/hostname", "/run/systemd/resolve/stub-resolv.conf"),
        EtcFiles.missingMountPoints(root.getParent()));
    Path layer = EtcFiles.mountPointLayer(tmp.resolve("layer"),
        EtcFiles.missingMountPoints(root.getParent()));
    assertEquals(0755, Posix.lstat(layer.resolve("run/systemd")).permissions());
    assertTrue(Files.isRegularFile(layer.resolve("run/systemd/resolve/stub-resolv.conf")));
    assertFalse(Files.exists(layer.resolve("etc/resolv.conf")));
  }
}
