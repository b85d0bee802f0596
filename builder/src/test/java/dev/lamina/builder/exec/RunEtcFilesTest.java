package dev.lamina.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.testing.Requirements;
import dev.lamina.runner.spec.EtcFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each RUN step's own {@code /etc/hosts}, {@code /etc/hostname} and {@code /etc/resolv.conf}: on
 * a base image that has none of the last two, a step resolves a name through the resolver the
 * host's configuration names (a stand-in answering on a loopback address), and none of the files
 * reaches a layer or the cache key.
 */
class RunEtcFilesTest {
  private static final String RESOLVER = "127.0.0.77";
  private static final String DEFAULTS = "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"
      + "nameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844\n";

  @TempDir Path tmp;

  @AfterEach
  void tearDown() throws IOException {
    OverlayMount.unmountAllUnder(tmp);
  }

  @Test
  void runSteps_getTheirOwnEtcFiles_inNoLayerAndNoCacheKey() throws Exception {
    Store store = storeWithBusybox();
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("image-hosts"), "10.9.9.9\timage-own\n");
    Path resolv = tmp.resolve("host-resolv.conf");
    Files.writeString(resolv, "nameserver " + RESOLVER + "\nsearch lamina.test\n");
    EtcFiles.HostFiles host = EtcFiles.HostFiles.system().withResolvConf(resolv);
    String recipe = String.join("\n",
        "FROM busybox",
        "COPY image-hosts /etc/hosts",
        "RUN cat /etc/resolv.conf > /out-resolv && cat /etc/hosts > /out-hosts"
            + " && hostname > /out-hostname && cat /etc/hostname >> /out-hostname"
            + " && { echo 10.0.0.9 sneaky >> /etc/hosts || echo refused > /out-write; }"
            + " && { echo x >> /etc/resolv.conf || echo refused >> /out-write; }",
        "RUN --network=host nslookup deb.debian.org > /out-dns",
        "RUN --network=none cat /etc/hosts /etc/resolv.conf > /out-none",
        "");
    BuildResult first;
    try (DnsStandIn dns = DnsStandIn.start(RESOLVER, "deb.debian.org", "10.11.12.13")) {
      first = build(store, ctx, recipe, "test", host);
      assertTrue(dns.answered() > 0, "the step asked the stand-in");
    }

    ImageDetails image = store.images().inspect("test");
    Path rootfs = rootfs(store, image);
    assertEquals(DEFAULTS + "search lamina.test\n", Files.readString(rootfs.resolve("out-resolv")),
        "a loopback resolver is unreachable from a step's own network: replaced");
    assertEquals("127.0.0.1\tlocalhost lamina\n::1\tlocalhost ip6-localhost ip6-loopback\n",
        Files.readString(rootfs.resolve("out-hosts")));
    assertEquals("lamina\nlamina\n", Files.readString(rootfs.resolve("out-hostname")));
    assertEquals("refused\nrefused\n", Files.readString(rootfs.resolve("out-write")),
        "read-only, as in BuildKit");
    String dnsOut = Files.readString(rootfs.resolve("out-dns"));
    assertTrue(dnsOut.contains("10.11.12.13"), dnsOut);
    assertEquals("127.0.0.1\tlocalhost lamina\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        + DEFAULTS + "search lamina.test\n", Files.readString(rootfs.resolve("out-none")));
    assertEquals("10.9.9.9\timage-own\n", Files.readString(rootfs.resolve("etc/hosts")),
        "the image's own file is as it was");
    for (String absent : List.of("etc/resolv.conf", "etc/hostname")) {
      assertTrue(Files.notExists(rootfs.resolve(absent)), absent);
    }
    int layers = image.manifest().layers().size();
    for (int i = layers - 3; i < layers; i++) {
      List<String> entries = entries(layer(store, image, i));
      assertTrue(!entries.isEmpty() && entries.stream().allMatch(e -> e.startsWith("out-")),
          "only the step's own output, no /etc nor a mount point in it: " + entries);
    }

    Files.writeString(resolv, "nameserver 10.1.2.3\n");
    BuildResult again = build(store, ctx, recipe, "test", host);
    assertEquals(4, again.cachedSteps(), "the files are in no cache key");
    assertEquals(first.imageId(), again.imageId());
  }

  @Test
  void anImageWhoseResolvConfIsALink_getsNoMountPointAtTheLinksTarget() throws Exception {
    Store store = storeWithBusybox();
    Path resolv = tmp.resolve("host-resolv.conf");
    Files.writeString(resolv, "nameserver 10.0.0.2\n");
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    // As systemd-resolved's images have it: a link into /run, whose target is not in the image.
    Path etc = Files.createDirectories(ctx.resolve("root/etc"));
    Files.writeString(Files.createDirectories(ctx.resolve("root/run")).resolve("keep"), "");
    Files.createSymbolicLink(etc.resolve("resolv.conf"),
        Path.of("../run/systemd/resolve/stub-resolv.conf"));
    Files.createSymbolicLink(etc.resolve("hostname"), Path.of("/etc/hostname.d/name"));
    build(store, ctx, String.join("\n",
            "FROM busybox",
            "COPY root/ /",
            "RUN cat /etc/resolv.conf /etc/hostname > /out",
            ""),
        "test", EtcFiles.HostFiles.system().withResolvConf(resolv));
    ImageDetails image = store.images().inspect("test");
    Path rootfs = rootfs(store, image);
    assertEquals("nameserver 10.0.0.2\nlamina\n", Files.readString(rootfs.resolve("out")));
    int layers = image.manifest().layers().size();
    assertEquals(List.of("out"), entries(layer(store, image, layers - 1)),
        "nothing at the links' targets, nor a copied-up /run or /etc");
  }

  /** A store holding the busybox sample as {@code busybox}: a base with no /etc files. */
  private Store storeWithBusybox() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Store store = Store.open(tmp.resolve("store"));
    Path base = BusyboxBase.context(tmp);
    build(store, base, Files.readString(base.resolve("Containerfile")), "busybox",
        EtcFiles.HostFiles.system());
    return store;
  }

  private static BuildResult build(
      Store store, Path context, String recipe, String tag, EtcFiles.HostFiles host)
      throws Exception {
    return Builder.build(
        store,
        BuildOptions.builder(context).recipeText(recipe).tag(tag).hostFiles(host).build(),
        Progress.quiet());
  }

  private static Path layer(Store store, ImageDetails image, int i) throws IOException {
    return ExtractedLayers.of(store)
        .ensure(image.manifest().layers().get(i), image.config().diffIds().get(i));
  }

  private Path rootfs(Store store, ImageDetails image) throws IOException {
    Path root = Files.createDirectories(tmp.resolve("rootfs"));
    for (int i = 0; i < image.manifest().layers().size(); i++) {
      ExtractedLayers.of(store)
          .applyOnto(image.manifest().layers().get(i), image.config().diffIds().get(i), root);
    }
    return root;
  }

  private static List<String> entries(Path layer) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(layer)) {
      walk.filter(p -> !p.equals(layer)).forEach(p -> out.add(layer.relativize(p).toString()));
    }
    return out;
  }

  /**
   * A DNS responder on a loopback address: every question about {@code name} gets {@code
   * address} (A) or {@code fd00::1} (AAAA); any other name gets NXDOMAIN.
   */
  private static final class DnsStandIn implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    private final String name;
    private final byte[] address;
    private volatile int answered;

    private DnsStandIn(DatagramSocket socket, String name, byte[] address) {
      this.socket = socket;
      this.name = name;
      this.address = address;
      this.thread = new Thread(this::serve, "dns-stand-in");
      thread.setDaemon(true);
    }

    static DnsStandIn start(String listen, String name, String address) throws IOException {
      DatagramSocket s = new DatagramSocket(new InetSocketAddress(listen, 53));
      DnsStandIn dns = new DnsStandIn(s, name, InetAddress.getByName(address).getAddress());
      dns.thread.start();
      return dns;
    }

    int answered() {
      return answered;
    }

    private void serve() {
      byte[] buf = new byte[512];
      while (true) {
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(in);
          byte[] reply = reply(in.getData(), in.getLength());
          socket.send(new DatagramPacket(reply, reply.length, in.getSocketAddress()));
          answered++;
        } catch (SocketException closed) {
          return;
        } catch (IOException | RuntimeException ignored) {
          // a malformed question gets no answer
        }
      }
    }

    private byte[] reply(byte[] q, int length) throws IOException {
      int pos = 12;
      StringBuilder qname = new StringBuilder();
      while (q[pos] != 0) {
        int n = q[pos];
        qname.append(qname.length() > 0 ? "." : "").append(new String(q, pos + 1, n));
        pos += n + 1;
      }
      int qtype = ((q[pos + 1] & 0xff) << 8) | (q[pos + 2] & 0xff);
      int questionEnd = pos + 5;
      boolean known = qname.toString().equalsIgnoreCase(name);
      byte[] rdata = qtype == 1 ? address : qtype == 28 ? InetAddress.getByName("fd00::1")
          .getAddress() : null;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(q, 0, 2); // id
      out.write(0x81);
      out.write(known ? 0x80 : 0x83); // a response, recursion available; NXDOMAIN if unknown
      out.writeBytes(new byte[] {0, 1, 0, (byte) (known && rdata != null ? 1 : 0), 0, 0, 0, 0});
      out.write(q, 12, questionEnd - 12);
      if (known && rdata != null) {
        out.writeBytes(new byte[] {(byte) 0xc0, 12, 0, (byte) qtype, 0, 1, 0, 0, 0, 60, 0,
            (byte) rdata.length});
        out.writeBytes(rdata);
      }
      return out.toByteArray();
    }

    @Override
    public void close() throws InterruptedException {
      socket.close();
      thread.join(5_000);
    }
  }
}
