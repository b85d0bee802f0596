package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.io.RandomIds;
import dev.lamina.runner.runtime.OciRuntimes;
import dev.lamina.runner.runtime.Stdio;
import dev.lamina.runner.spec.ContainerOptions;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index of container names ({@code containers/.names/}): a name is taken while its container
 * exists, free again after every way a container goes, and found without reading every record.
 */
class ContainerNameIndexTest {
  @TempDir static Path shared;
  private static Path base;

  @TempDir Path tmp;
  private Path root;
  private Containers containers;

  @BeforeAll
  static void buildRootfs() throws IOException {
    base = ContainerFixtures.busyboxBase(shared);
  }

  @BeforeEach
  void setUp() {
    root = tmp.resolve("lamina");
    containers = Containers.open(root, ExitCommand.javaProcess(), OciRuntimes.source(root));
  }

  @AfterEach
  void noMountLeft() throws IOException {
    ContainerFixtures.removeAllLeavingNoMount(containers, tmp);
  }

  private static ContainerImage busybox() {
    return ContainerFixtures.busybox(base);
  }

  private static ContainerRequest sh(String script) {
    return ContainerRequest.of(busybox(), ContainerOptions.builder().args("sh", "-c", script).build())
        .withNetwork(ContainerNetwork.parse("none", null));
  }

  private int run(ContainerRequest request) throws Exception {
    Stdio stdio =
        new Stdio(
            Redirect.from(Path.of("/dev/null").toFile()),
            Redirect.DISCARD,
            Redirect.DISCARD);
    return containers.run(request, stdio, false);
  }

  private void assertTaken(String name) {
    ContainerException e =
        assertThrows(ContainerException.class, () -> containers.create(sh("true").withName(name)));
    assertTrue(e.getMessage().contains("already in use"), e.getMessage());
  }

  /** The name is free: a container of that name can be created (and is removed again). */
  private void assertFree(String name) throws IOException {
    ContainerRecord r = containers.create(sh("true").withName(name));
    assertEquals(name, containers.inspect(name).name());
    containers.remove(r.id(), false, true);
  }

  private Path entry(String name) {
    return root.resolve("containers/.names").resolve(name);
  }

  @Test
  void name_takenWhileItsContainerExists_freeAfterRm() throws Exception {
    ContainerRecord a = containers.create(sh("true").withName("web"));
    assertEquals(a.id(), Files.readSymbolicLink(entry("web")).toString());
    assertTaken("web");
    assertEquals(a.id(), containers.inspect("web").id());
    assertEquals(List.of("web"), containers.list(true).stream().map(ContainerRecord::name).toList());

    containers.remove("web", false, true);
    assertTrue(Files.notExists(entry("web")));
    assertFree("web");
  }

  @Test
  void name_freeAfterRmForce_ofARunningContainer() throws Exception {
    ContainerRecord r = containers.create(sh("sleep 60").withName("sleeper"));
    containers.start(r.id());
    assertTaken("sleeper");
    containers.remove("sleeper", true, true);
    assertTrue(Files.notExists(entry("sleeper")));
    assertFree("sleeper");
  }

  @Test
  void name_freeAfterAnAutoRemovedRunEnds() throws Exception {
    assertEquals(0, run(sh("true").withName("once").withAutoRemove(true)));
    assertTrue(Files.notExists(entry("once")));
    assertFree("once");

    // Detached: its monitor's exit command removes it.
    ContainerRecord r = containers.create(sh("true").withName("detached").withAutoRemove(true));
    containers.start(r.id());
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (Files.exists(root.resolve("containers").resolve(r.id())) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    containers.list(true); // finishes it, should its exit command not have yet
    assertTrue(Files.notExists(entry("detached")));
    assertFree("detached");
  }

  @Test
  void name_freeAfterPrune() throws Exception {
    containers.create(sh("true").withName("p1"));
    assertEquals(3, run(sh("exit 3").withName("p2")));
    assertEquals(2, containers.prune().size());
    assertTrue(Files.notExists(entry("p1")));
    assertTrue(Files.notExists(entry("p2")));
    assertFree("p1");
    assertFree("p2");
  }

  @Test
  void name_freeAfterACreateThatFailed() throws Exception {
    ContainerRequest broken =
        sh("true").withName("broken").withVolumes(List.of(tmp.resolve("missing") + ":/data"));
    assertThrows(IOException.class, () -> containers.create(broken));
    assertTrue(Files.notExists(entry("broken")));
    assertFree("broken");
  }

  /**
   * A creator killed after its directory was renamed into place, before it wrote its bundle: the
   * next look removes the container, and its name is free.
   */
  @Test
  void name_freeAfterTheSweepOfAKilledCreatorsContainer() throws Exception {
    ContainerRecord r = containers.create(sh("true").withName("halfway"));
    Path cdir = root.resolve("containers").resolve(r.id());
    Files.delete(cdir.resolve("config.json"));
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor();
    ContainerStore store = new ContainerStore(root.resolve("containers"));
    store.write(
        r.toBuilder()
            .monitorPid(dead.pid())
            .monitorStarted(dead.info().startInstant().map(Object::toString).orElse(null))
            .build());

    assertEquals(List.of(), containers.list(true));
    assertTrue(Files.notExists(cdir));
    assertTrue(Files.notExists(entry("halfway")));
    assertFree("halfway");
  }

  /**
   * A creator killed after it claimed the name, before it began its directory: the entry names a
   * container that has no record, which holds nothing, and is replaced.
   */
  @Test
  void staleEntryOfAKilledCreator_isFreeAndReplaced() throws Exception {
    containers.create(sh("true").withName("other"));
    Files.createSymbolicLink(entry("taken-by-ghost"), Path.of(RandomIds.hex64()));

    assertThrows(ContainerException.class, () -> containers.inspect("taken-by-ghost"));
    // Not a name any container may have: no such container, as for any other unknown name.
    assertThrows(ContainerException.class, () -> containers.inspect("x".repeat(300)));
    ContainerRecord r = containers.create(sh("true").withName("taken-by-ghost"));
    assertEquals(r.id(), Files.readSymbolicLink(entry("taken-by-ghost")).toString());
    assertEquals(r.id(), containers.inspect("taken-by-ghost").id());
  }

  /**
   * A creator killed while it made its directory under the temporary name: the next command that
   * lists containers sweeps the directory and the entry, whether its record was written or not.
   */
  @Test
  void sweepOfAKilledCreatorsDirectory_releasesItsName() throws Exception {
    containers.create(sh("true").withName("other"));
    String whole = RandomIds.hex64();
    String half = RandomIds.hex64();
    Files.createSymbolicLink(entry("whole"), Path.of(whole));
    Files.createSymbolicLink(entry("half"), Path.of(half));
    Path wholeDir = Files.createDirectories(root.resolve("containers/.new-" + whole));
    ContainerRecord other = containers.inspect("other");
    Files.write(
        wholeDir.resolve("container.json"),
        dev.lamina.layerfs.json.JsonWriter.toBytes(
            other.toBuilder().id(whole).name("whole").build(), ContainerRecordCodec.INSTANCE));
    Path halfDir = Files.createDirectories(root.resolve("containers/.new-" + half));
    Files.writeString(halfDir.resolve(".container.json.tmp-1"), "{\"id\":\"");

    assertEquals(List.of("other"), containers.list(true).stream().map(ContainerRecord::name).toList());
    assertTrue(Files.notExists(wholeDir));
    assertTrue(Files.notExists(halfDir));
    assertTrue(Files.notExists(entry("whole"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.notExists(entry("half"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertEquals(List.of(), containers.checkNames(false).problems());
  }

  /** A store made before the index: its records still hold their names, and the index is built. */
  @Test
  void storeWithoutTheIndex_stillRefusesATakenName() throws Exception {
    ContainerRecord old = containers.create(sh("true").withName("old"));
    ContainerRecord older = containers.create(sh("true").withName("older"));
    dev.lamina.layerfs.store.Trees.deleteRecursively(root.resolve("containers/.names"));

    assertEquals(old.id(), containers.inspect("old").id());
    assertTaken("old");
    assertEquals(old.id(), Files.readSymbolicLink(entry("old")).toString());
    assertEquals(older.id(), Files.readSymbolicLink(entry("older")).toString());
    assertTaken("older");
    containers.remove("older", false, true);
    assertFree("older");
    assertEquals(List.of(), containers.checkNames(false).problems());
  }

  /**
   * Creating, running and finding a container by name read no record but its own, however many
   * containers the store holds.
   */
  @Test
  void createRunAndFindByName_readNoOtherRecord() throws Exception {
    for (int i = 0; i < 3; i++) {
      containers.create(sh("true"));
    }
    ContainerStore store = containers.store();
    long before = store.scans();

    ContainerRecord named = containers.create(sh("true").withName("named"));
    assertEquals(0, run(sh("true").withAutoRemove(true)));
    assertEquals(named.id(), containers.inspect("named").id());
    containers.start("named");
    containers.remove("named", true, true);

    assertEquals(before, store.scans(), "records of every container were read");
  }

  @Test
  void check_reportsAndRepairsAnIndexThatDisagrees() throws Exception {
    ContainerRecord a = containers.create(sh("true").withName("alpha"));
    assertEquals(List.of(), containers.checkNames(false).problems());
    Files.delete(entry("alpha"));

    List<String> found =
        containers.checkNames(false).problems().stream()
            .map(ContainerNameCheck.Disagreement::name).sorted().toList();
    assertEquals(List.of("alpha"), found);
    containers.checkNames(true);
    assertEquals(List.of(), containers.checkNames(false).problems());
    assertEquals(a.id(), Files.readSymbolicLink(entry("alpha")).toString());
    assertTaken("alpha");
  }

  // ------------------------------------------------------------ what a kill leaves, and its sweep

  private Path containersDir() {
    return root.resolve("containers");
  }

  /** What {@code system check} reports of containers: stray directories and names. */
  private void assertCheckClean() throws IOException {
    assertEquals(List.of(), containers.strays(false));
    assertEquals(List.of(), containers.checkNames(false).problems());
  }

  /** Nothing under {@code containers/} but the containers {@code ids}, the lock and the index. */
  private void assertOnly(ContainerRecord... kept) throws IOException {
    List<String> want = new java.util.ArrayList<>(List.of(".lock", ".names"));
    for (ContainerRecord r : kept) {
      want.add(r.id());
    }
    try (var list = Files.list(containersDir())) {
      assertEquals(want.stream().sorted().toList(),
          list.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  /**
   * {@code rm} killed once it renamed the directory away, before it released the name: the
   * container is gone from every listing at once, and the next {@code ps} deletes the rest and
   * frees the name.
   */
  @Test
  void rmKilledAfterItsRename_isFinishedByTheNextPs() throws Exception {
    ContainerRecord other = containers.create(sh("true").withName("other"));
    ContainerRecord r = containers.create(sh("true").withName("web"));
    Files.move(containersDir().resolve(r.id()), containersDir().resolve(".rm-" + r.id()));

    assertEquals(List.of("other"), containers.list(true).stream().map(ContainerRecord::name).toList());
    assertOnly(other);
    assertTrue(Files.notExists(entry("web"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertCheckClean();
    assertFree("web");
  }

  /**
   * {@code rm} killed while it deleted the files (its record gone, half of them left), and one
   * killed before it deleted anything but after it gave the name up: {@code create} finishes
   * both.
   */
  @Test
  void rmKilledWhileDeleting_isFinishedByTheNextCreate() throws Exception {
    ContainerRecord half = containers.create(sh("true").withName("half"));
    ContainerRecord released = containers.create(sh("true").withName("released"));
    Path halfGone = containersDir().resolve(".rm-" + half.id());
    Files.move(containersDir().resolve(half.id()), halfGone);
    Files.delete(halfGone.resolve("container.json"));
    dev.lamina.layerfs.store.Trees.deleteRecursively(halfGone.resolve("work"));
    Files.move(containersDir().resolve(released.id()),
        containersDir().resolve(".rm-" + released.id()));
    Files.delete(entry("released"));

    ContainerRecord next = containers.create(sh("true").withName("half"));
    assertOnly(next);
    assertEquals(next.id(), Files.readSymbolicLink(entry("half")).toString());
    assertCheckClean();
    assertFree("released");
  }

  /**
   * {@code create} killed while it claimed a name another killed command had left (its claim's
   * link made, the stale entry not yet replaced): the next {@code ps} removes the link with the
   * directory, and {@code system check} has nothing to report.
   */
  @Test
  void createKilledMidClaim_leavesNothingAfterTheNextPs() throws Exception {
    ContainerRecord other = containers.create(sh("true").withName("other"));
    String ghost = RandomIds.hex64();
    String dead = RandomIds.hex64();
    Files.createSymbolicLink(entry("taken"), Path.of(ghost));
    Path building = Files.createDirectories(containersDir().resolve(".new-" + dead));
    Files.write(building.resolve("container.json"),
        dev.lamina.layerfs.json.JsonWriter.toBytes(
            other.toBuilder().id(dead).name("taken").build(), ContainerRecordCodec.INSTANCE));
    Path claim = entry(".claim-" + dead);
    Files.createSymbolicLink(claim, Path.of(dead));

    containers.list(true);
    assertTrue(Files.notExists(claim, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertOnly(other);
    assertCheckClean();
    assertFree("taken");
  }

  /**
   * Entries that hold no name and that no leftover directory names (an older version's, or a
   * claim's link whose directory is gone): {@code system check} removes them as a sweep would,
   * and reports nothing.
   */
  @Test
  void check_removesEntriesOfNoContainer_andReportsNothing() throws Exception {
    ContainerRecord live = containers.create(sh("true").withName("live"));
    Files.createSymbolicLink(entry("stale"), Path.of(RandomIds.hex64()));
    Files.createSymbolicLink(entry(".claim-" + RandomIds.hex64()), Path.of(RandomIds.hex64()));

    assertCheckClean();
    try (var list = Files.list(containersDir().resolve(".names"))) {
      assertEquals(List.of("live"), list.map(p -> p.getFileName().toString()).toList());
    }
    assertEquals(live.id(), containers.inspect("live").id());
  }

  /**
   * A name a live container holds is never released by a sweep, whatever a leftover directory's
   * record says: a removal of an older container of that name killed half-way, or a creator that
   * never got it.
   */
  @Test
  void sweep_neverReleasesANameALiveContainerHolds() throws Exception {
    ContainerRecord live = containers.create(sh("sleep 60").withName("web"));
    containers.start(live.id());
    for (String kind : List.of(".rm-", ".new-")) {
      String dead = RandomIds.hex64();
      Path left = Files.createDirectories(containersDir().resolve(kind + dead));
      Files.write(left.resolve("container.json"),
          dev.lamina.layerfs.json.JsonWriter.toBytes(
              live.toBuilder().id(dead).build(), ContainerRecordCodec.INSTANCE));
    }

    containers.list(true);
    assertCheckClean();
    assertOnly(live);
    assertEquals(live.id(), Files.readSymbolicLink(entry("web")).toString());
    assertTaken("web");
    assertEquals(ContainerState.RUNNING, containers.inspect("web").state());
  }
}
