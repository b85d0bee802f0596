package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.store.OciLayout;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code system prune}, {@code image prune} and {@code builder prune} as docker's: what each
 * removes, in which order, what it never removes (a running container, an image a container
 * uses, the default network, named volumes), its filters, and that a bad filter removes nothing.
 */
class PruneCommandsTest {
  @TempDir static Path shared;
  private static Path rootfs;

  @TempDir Path tmp;
  private Cli lamina;

  @BeforeAll
  static void rootfs() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    rootfs = Cli.busyboxRootfs(shared.resolve("rootfs"));
  }

  @BeforeEach
  void store() {
    lamina = new Cli(tmp.resolve("store"));
    lamina.run("import", "--change", "CMD [\"sh\"]", rootfs.toString(), "busybox").ok();
  }

  @AfterEach
  void noMountLeft() throws Exception {
    lamina.run("rm", "-f", "up").code();
    List<Path> left = MountTable.mountPointsUnder(tmp);
    OverlayMount.unmountAllUnder(tmp);
    assertEquals(List.of(), left);
  }

  /** A one-layer image of its own (its label makes its config, and so its id, differ). */
  private String image(String name, String label) {
    return lamina.run("import", "--change", "LABEL " + label, rootfs.toString(), name)
        .ok().out().strip();
  }

  /**
   * A dangling image: an image whose only name has no tag, as other tools may write into the
   * store's index.json ({@code REPOSITORY@DIGEST}); {@code images} shows its tag as {@code <none>}.
   */
  private Dangling dangling(String label) throws Exception {
    String id = image("localhost/soon-dangling", label);
    OciLayout layout = Store.open(tmp.resolve("store")).layout();
    Descriptor target =
        layout.find("localhost/soon-dangling:latest").orElseThrow().withoutAnnotations();
    layout.updateIndex(i -> OciLayout.withName(
        OciLayout.withoutName(i, "localhost/soon-dangling:latest"),
        "localhost/dangling@" + target.digest(), target));
    return new Dangling(id, "localhost/dangling@" + target.digest());
  }

  /** A dangling image's id, and its name without a tag. */
  private record Dangling(String id, String name) {}

  private List<String> names(String... listing) {
    return lamina.run(listing).ok().lines();
  }

  private List<String> imageNames() {
    return names("images", "--format", "{{.Repository}}:{{.Tag}}");
  }

  private List<String> containers() {
    return names("ps", "-a", "--format", "{{.Names}}").stream().sorted().toList();
  }

  private List<String> networks() {
    return names("network", "ls", "--format", "{{.Name}}").stream().sorted().toList();
  }

  private List<String> volumes() {
    return names("volume", "ls", "-q").stream().sorted().toList();
  }

  private String state(String container) {
    return lamina.run("inspect", "-f", "{{.State.Status}}", container).ok().out().strip();
  }

  /** The bytes prune's last line says it reclaimed (at least: the figure is rounded down). */
  private static long reclaimed(List<String> out) {
    Matcher m = Pattern.compile("Total reclaimed space: ([0-9.]+)([kMG]?)B")
        .matcher(out.get(out.size() - 1));
    assertTrue(m.matches(), out.toString());
    long unit = switch (m.group(2)) {
      case "k" -> 1000L;
      case "M" -> 1000_000L;
      case "G" -> 1000_000_000L;
      default -> 1L;
    };
    return (long) Math.ceil(Double.parseDouble(m.group(1)) * unit);
  }

  /** The lines under {@code title} in prune's output, up to the empty line that ends them. */
  private static List<String> section(List<String> out, String title) {
    int at = out.indexOf(title);
    if (at < 0) {
      return List.of();
    }
    List<String> lines = new ArrayList<>();
    for (int i = at + 1; i < out.size() && !out.get(i).isEmpty(); i++) {
      lines.add(out.get(i));
    }
    return lines;
  }

  @Test
  void systemPrune_removesStoppedContainersUnusedNetworksDanglingImages_keepsWhatIsInUse()
      throws Exception {
    // 2 MB in its writable layer, which the total reclaimed counts.
    lamina.run("run", "--name", "done", "busybox", "sh", "-c",
        "head -c 2000000 /dev/urandom > /big").ok();
    lamina.run("create", "--name", "made", "busybox", "true").ok();
    lamina.run("run", "-d", "--name", "up", "busybox", "sleep", "60").ok();
    assertEquals("running", state("up"));
    String doneId = lamina.run("inspect", "-f", "{{.Id}}", "done").ok().out().strip();
    lamina.run("network", "create", "spare").ok();
    Dangling dangling = dangling("kind=dangling");
    image("tagged", "kind=tagged");
    String anonymous = lamina.run("volume", "create").ok().out().strip();
    Files.write(tmp.resolve("store/volumes/" + anonymous + "/_data/big"), new byte[3_000_000]);
    lamina.run("volume", "create", "named").ok();
    List<String> volumesBefore = volumes();
    List<String> networksBefore = networks();
    assertTrue(imageNames().contains("localhost/dangling:<none>"), imageNames().toString());

    List<String> out = lamina.run("system", "prune", "-f").ok().lines();

    assertEquals(List.of("up"), containers());
    assertEquals("running", state("up"));
    List<String> removedContainers = section(out, "Deleted Containers:");
    assertEquals(2, removedContainers.size(), out.toString());
    assertTrue(removedContainers.contains(doneId), out.toString());
    assertEquals(List.of("spare"), section(out, "Deleted Networks:"));
    assertFalse(networks().contains("spare"), networks().toString());
    assertEquals(networksBefore.size() - 1, networks().size(), "the default network stays");
    List<String> images = section(out, "Deleted Images:");
    assertTrue(images.contains("untagged: " + dangling.name()), out.toString());
    assertTrue(images.contains("deleted: " + dangling.id()), out.toString());
    assertEquals(List.of("localhost/busybox:latest", "localhost/tagged:latest"), imageNames(),
        "without -a only dangling images go");
    assertEquals(volumesBefore, volumes(), "without --volumes no volume goes");
    assertEquals(List.of("Deleted Containers:", "Deleted Networks:", "Deleted Images:"),
        out.stream().filter(l -> l.startsWith("Deleted ")).toList(), "docker's order");
    assertTrue(reclaimed(out) >= 2_000_000, out.toString());

    // -a: every image no container uses; --volumes: unused anonymous volumes, never named ones.
    List<String> all = lamina.run("system", "prune", "-a", "--volumes").ok().lines();
    assertEquals(List.of("untagged: localhost/tagged:latest"),
        section(all, "Deleted Images:").stream().filter(l -> l.startsWith("untagged")).toList());
    assertEquals(List.of("localhost/busybox:latest"), imageNames(), "the running one's image");
    assertEquals(List.of("named"), volumes());
    assertEquals(List.of(anonymous), section(all, "Deleted Volumes:"));
    assertTrue(reclaimed(all) >= 3_000_000, all.toString());
    assertEquals(List.of("up"), containers());
    assertTrue(lamina.run("system", "check").ok().out().contains(": ok"));
  }

  @Test
  void imagePrune_danglingOrAllUnused_neverOneAContainerUses() throws Exception {
    Dangling dangling = dangling("kind=dangling");
    image("tagged", "kind=tagged");
    lamina.run("tag", "busybox", "busybox:other").ok();
    lamina.run("create", "--name", "kept", "busybox", "true").ok(); // stopped, not removed

    List<String> out = lamina.run("image", "prune", "-f").ok().lines();
    assertEquals("Deleted Images:", out.get(0), out.toString());
    assertEquals(List.of("untagged: " + dangling.name()),
        out.stream().filter(l -> l.startsWith("untagged: ")).toList());
    assertTrue(out.contains("deleted: " + dangling.id()), out.toString());
    assertTrue(out.get(out.size() - 1).startsWith("Total reclaimed space: "), out.toString());
    assertEquals(List.of("localhost/busybox:latest", "localhost/busybox:other",
        "localhost/tagged:latest"), imageNames());

    List<String> all = lamina.run("image", "prune", "-a").ok().lines();
    assertTrue(all.contains("untagged: localhost/tagged:latest"), all.toString());
    assertEquals(List.of("localhost/busybox:latest", "localhost/busybox:other"), imageNames(),
        "the image a stopped container keeps stays, with all its names");
    assertEquals(List.of("Total reclaimed space: 0B"), names("image", "prune", "-a"));

    lamina.run("rm", "kept").ok();
    lamina.run("image", "prune", "-a").ok();
    assertEquals(List.of(), imageNames());
  }

  @Test
  void filters_untilAndLabel_applyToContainersImagesAndNetworks() throws Exception {
    lamina.run("create", "--name", "plain", "busybox", "true").ok();
    lamina.run("create", "--label", "keep=yes", "--name", "labelled", "busybox", "true").ok();
    lamina.run("network", "create", "--label", "team=a", "teamnet").ok();
    lamina.run("network", "create", "othernet").ok();
    image("web", "tier=web");
    image("db", "tier=db");

    // Everything here was made just now: nothing is older than an hour.
    List<String> none = lamina.run("system", "prune", "-a", "--filter", "until=1h").ok().lines();
    assertFalse(none.stream().anyMatch(l -> l.startsWith("Deleted ")), none.toString());
    assertEquals(List.of("labelled", "plain"), containers());

    lamina.run("system", "prune", "--filter", "label!=keep").ok();
    assertEquals(List.of("labelled"), containers(), "label!= spares what has the label");
    assertFalse(networks().contains("teamnet") || networks().contains("othernet"),
        "networks have no keep label: both go " + networks());

    lamina.run("network", "create", "--label", "team=a", "teamnet").ok();
    lamina.run("network", "create", "othernet").ok();
    lamina.run("system", "prune", "--filter", "label=team=a").ok();
    assertTrue(networks().contains("othernet") && !networks().contains("teamnet"),
        networks().toString());
    assertEquals(List.of("labelled"), containers(), "the container has no team label");

    List<String> web = lamina.run("image", "prune", "-a", "--filter", "label=tier=web").ok().lines();
    assertTrue(web.contains("untagged: localhost/web:latest"), web.toString());
    assertTrue(imageNames().contains("localhost/db:latest"), imageNames().toString());

    // The container the filter keeps keeps its image, which the filter would take.
    lamina.run("system", "prune", "-a", "--filter", "label!=keep").ok();
    assertEquals(List.of("labelled"), containers());
    assertEquals(List.of("localhost/busybox:latest"), imageNames());

    // A time after now: everything is older.
    String later = String.valueOf(Instant.now().getEpochSecond() + 3600);
    lamina.run("system", "prune", "-a", "--filter", "until=" + later).ok();
    assertEquals(List.of(), containers());
    assertFalse(networks().contains("othernet"), networks().toString());
    assertEquals(List.of(), imageNames());
    lamina.run("network", "prune").ok();
  }

  @Test
  void badFilter_oneLine_nothingRemoved() throws Exception {
    lamina.run("create", "--name", "made", "busybox", "true").ok();
    lamina.run("network", "create", "spare").ok();
    dangling("kind=dangling");
    lamina.run("volume", "create").ok();
    List<String> images = imageNames();
    List<String> volumes = volumes();
    List<String> networks = networks();
    List<Digest> blobs = blobs();
    for (List<String> args : List.of(
        List.of("system", "prune", "-a", "--filter", "colour=red"),
        List.of("system", "prune", "-a", "--filter", "until=5x"),
        List.of("system", "prune", "-a", "--filter", "label"),
        List.of("system", "prune", "--volumes", "--filter", "until=1h"),
        List.of("image", "prune", "-a", "--filter", "until=yesterday"),
        List.of("container", "prune", "--filter", "colour=red"),
        List.of("network", "prune", "--filter", "until=soon"))) {
      Cli.Result r = lamina.run(args.toArray(String[]::new));
      assertEquals(ExitCodes.USAGE, r.code(), args + ": " + r);
      assertEquals("", r.out(), args.toString());
      assertEquals(1, r.err().lines().count(), args + ": " + r.err());
      assertTrue(r.err().startsWith("lamina: ") && r.err().contains("filter"), r.err());
    }
    assertEquals(List.of("made"), containers());
    assertEquals(images, imageNames());
    assertEquals(volumes, volumes());
    assertEquals(networks, networks());
    assertEquals(blobs, blobs());
  }

  private List<Digest> blobs() throws Exception {
    return Store.open(tmp.resolve("store")).blobs().list().stream().sorted(
        (a, b) -> a.toString().compareTo(b.toString())).toList();
  }

  @Test
  void imageGroup_aliasesBehaveAsTheCommands() throws Exception {
    lamina.run("image", "tag", "busybox", "bb:1").ok();
    assertEquals(lamina.run("images").ok().out(), lamina.run("image", "ls").ok().out());
    assertEquals(lamina.run("images", "-q", "bb").ok().out(),
        lamina.run("image", "list", "-q", "bb").ok().out());
    assertEquals(List.of("localhost/bb:1", "localhost/busybox:latest"), imageNames());

    assertEquals(lamina.run("inspect", "--type", "image", "bb:1").ok().out(),
        lamina.run("image", "inspect", "bb:1").ok().out());
    lamina.run("create", "--name", "made", "busybox", "true").ok();
    assertEquals(0, lamina.run("inspect", "made").code());
    Cli.Result notAnImage = lamina.run("image", "inspect", "made");
    assertEquals(ExitCodes.ERROR, notAnImage.code(), notAnImage.toString());
    assertEquals(lamina.run("history", "busybox").ok().out(),
        lamina.run("image", "history", "busybox").ok().out());

    Path archive = tmp.resolve("bb.tar");
    lamina.run("image", "save", "-o", archive.toString(), "bb:1").ok();
    assertEquals(List.of("Untagged: localhost/bb:1"), lamina.run("image", "rm", "bb:1").ok().lines());
    assertTrue(lamina.run("image", "load", "-i", archive.toString()).ok().out()
        .contains("localhost/bb:1"));
    assertEquals(List.of("Untagged: localhost/bb:1"),
        lamina.run("image", "remove", "bb:1").ok().lines());
    String imported = lamina.run("image", "import", rootfs.toString(), "again").ok().out().strip();
    assertEquals(imported, lamina.run("inspect", "-f", "{{.Id}}", "again").ok().out().strip());

    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Containerfile"), "FROM busybox\nCOPY f /f\n");
    Files.writeString(ctx.resolve("f"), "one\n");
    lamina.run("image", "build", "-q", "-t", "built", ctx.toString()).ok();
    assertEquals("one\n", lamina.run("run", "--rm", "built", "cat", "/f").ok().out());

    Cli.Result bare = lamina.run("image");
    assertEquals(ExitCodes.USAGE, bare.code());
    assertTrue(bare.err().contains("a subcommand is required"), bare.err());
  }

  @Test
  void builderPrune_removesTheBuildCacheOnly() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Containerfile"), "FROM busybox\nCOPY f /f\n");
    Files.writeString(ctx.resolve("f"), "one\n");
    lamina.run("build", "-q", "-t", "built", ctx.toString()).ok();
    Path steps = tmp.resolve("store/cache/steps");
    assertTrue(count(steps) > 0, "the build left cache records");
    // A second build moves the name: the first image's layer is now only the cache's.
    Files.writeString(ctx.resolve("f"), "two\n");
    lamina.run("build", "-q", "-t", "built", ctx.toString()).ok();
    int blobsBefore = blobs().size();

    List<String> out = lamina.run("builder", "prune", "-f").ok().lines();

    assertEquals(1, out.size(), out.toString());
    assertTrue(out.get(0).matches("Total reclaimed space: [0-9.]+[kMG]?B")
        && !out.get(0).endsWith(" 0B"), out.toString());
    assertEquals(0, count(steps));
    assertTrue(blobs().size() < blobsBefore, "the cached step's layer went");
    assertEquals(List.of("localhost/built:latest", "localhost/busybox:latest"), imageNames());
    assertEquals("two\n", lamina.run("run", "--rm", "built", "cat", "/f").ok().out());
    assertEquals(List.of("Total reclaimed space: 0B"), names("builder", "prune"));
  }

  private static long count(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }
}
