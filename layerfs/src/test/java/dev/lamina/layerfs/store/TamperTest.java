package dev.lamina.layerfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.digest.VerifyingInputStream;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.MediaType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tampered stores (umoci test/hardening.bats; podman 330-corrupt-images and 331-system-check): the
 * read that touches the damage fails, {@link StoreCheck} reports it, and repair leaves a
 * consistent store with the intact images untouched.
 */
class TamperTest {
  @TempDir Path root;
  @TempDir Path work;

  enum Tamper {
    FLIP_BYTE,
    PREPEND_BYTE,
    APPEND_NUL
  }

  enum Part {
    LAYER,
    CONFIG,
    MANIFEST
  }

  private Store store;
  private Images.ResolvedImage victim;
  private Images.ResolvedImage bystander;

  private void createImages() throws Exception {
    store = Store.open(root);
    victim = TestImages.image(store, work, "victim", "etc/v", "victim content");
    bystander = TestImages.image(store, work, "bystander", "etc/b", "bystander content");
  }

  private Descriptor part(Part part) throws IOException {
    Images.ImageDetails d = store.images().inspect("victim");
    return switch (part) {
      case LAYER -> d.manifest().layers().get(0);
      case CONFIG -> d.manifest().config();
      case MANIFEST -> d.manifestDescriptor();
    };
  }

  private Path file(Digest d) {
    return root.resolve("images/blobs/sha256/" + d.hex());
  }

  static void tamper(Path file, Tamper how) throws IOException {
    byte[] b = Files.readAllBytes(file);
    byte[] out =
        switch (how) {
          case FLIP_BYTE -> {
            byte[] c = b.clone();
            c[c.length / 2] ^= 0x01;
            yield c;
          }
          case PREPEND_BYTE -> {
            byte[] c = new byte[b.length + 1];
            c[0] = 'x';
            System.arraycopy(b, 0, c, 1, b.length);
            yield c;
          }
          case APPEND_NUL -> java.util.Arrays.copyOf(b, b.length + 1);
        };
    Files.write(file, out);
  }

  @ParameterizedTest
  @EnumSource(Tamper.class)
  void tamperedLayer_failsRead_checkReports_repairFixes(Tamper how) throws Exception {
    assertDetectedAndRepaired(Part.LAYER, how);
  }

  @ParameterizedTest
  @EnumSource(Tamper.class)
  void tamperedConfig_failsRead_checkReports_repairFixes(Tamper how) throws Exception {
    assertDetectedAndRepaired(Part.CONFIG, how);
  }

  @ParameterizedTest
  @EnumSource(Tamper.class)
  void tamperedManifest_failsRead_checkReports_repairFixes(Tamper how) throws Exception {
    assertDetectedAndRepaired(Part.MANIFEST, how);
  }

  private void assertDetectedAndRepaired(Part which, Tamper how) throws Exception {
    createImages();
    Descriptor d = part(which);
    tamper(file(d.digest()), how);

    // The read that touches it fails.
    if (which == Part.LAYER) {
      try (VerifyingInputStream in = store.blobs().open(d.digest(), d.size())) {
        assertThrows(DigestMismatchException.class, in::readAllBytes);
      }
    } else {
      IOException e = assertThrows(IOException.class, () -> store.images().inspect("victim"));
      assertTrue(
          e instanceof DigestMismatchException || e.getCause() instanceof DigestMismatchException,
          e.toString());
    }
    // The listing still works, so the damaged image can be removed.
    assertEquals(2, store.images().list().size());

    StoreCheck.Result result = store.check().run();
    assertEquals(
        List.of(d.digest().toString()),
        subjects(result.of(StoreCheck.Kind.CORRUPT_BLOB)),
        result.problems().toString());
    assertEquals(
        List.of("localhost/victim:latest"), subjects(result.of(StoreCheck.Kind.BROKEN_NAME)));

    store.check().repair();
    StoreCheck.Result after = store.check().run();
    assertTrue(after.isClean(), after.problems().toString());
    assertThrows(ImageNotFoundException.class, () -> store.images().resolve("victim"));
    assertEquals(bystander.digest(), store.images().resolve("bystander").digest());
    for (Digest blob : store.blobs().list()) {
      try (VerifyingInputStream in = store.blobs().open(blob, -1)) {
        in.drainAndDigest();
      }
    }
  }

  @Test
  void deletedLayer_failsRead_checkReportsMissing_repairFixes() throws Exception {
    createImages();
    Descriptor layer = part(Part.LAYER);
    Files.delete(file(layer.digest()));
    assertThrows(BlobNotFoundException.class, () -> store.blobs().open(layer.digest(), 1));
    StoreCheck.Result result = store.check().run();
    assertEquals(
        List.of(layer.digest().toString()), subjects(result.of(StoreCheck.Kind.MISSING_BLOB)));
    assertEquals(
        List.of("localhost/victim:latest"), subjects(result.of(StoreCheck.Kind.BROKEN_NAME)));
    store.check().repair();
    assertTrue(store.check().run().isClean());
    assertEquals(List.of("localhost/bystander:latest"), names());
  }

  @Test
  void indexPointingAtMissingManifest_detected_andRmiForceAndPruneStillWork() throws Exception {
    createImages();
    Descriptor ghost =
        Descriptor.of(MediaType.OCI_MANIFEST, Digest.sha256("never stored"), 123);
    store.layout().tag("localhost/ghost:latest", ghost);

    assertThrows(BlobNotFoundException.class, () -> store.images().inspect("ghost"));
    assertEquals(3, store.images().list().size(), "images still lists every name");
    StoreCheck.Result result = store.check().run();
    assertEquals(
        List.of(ghost.digest().toString()), subjects(result.of(StoreCheck.Kind.MISSING_BLOB)));
    assertEquals(
        List.of("localhost/ghost:latest"), subjects(result.of(StoreCheck.Kind.BROKEN_NAME)));

    store.prune().run(); // must not fail on the broken name
    assertEquals(victim.digest(), store.images().resolve("victim").digest());
    store.images().remove("ghost", true);
    assertTrue(store.check().run().isClean(), store.check().run().problems().toString());
  }

  @Test
  void repair_removesBrokenNamesAndDangling_keepsIntact() throws Exception {
    createImages();
    Digest dangling = store.blobs().put("nobody's".getBytes()).digest();
    store.layout().tag(
        "localhost/ghost:latest",
        Descriptor.of(MediaType.OCI_MANIFEST, Digest.sha256("never stored"), 123));
    StoreCheck.Result found = store.check().repair();
    assertEquals(
        List.of(dangling.toString()), subjects(found.of(StoreCheck.Kind.DANGLING_BLOB)));
    assertFalse(store.blobs().exists(dangling));
    assertEquals(List.of("localhost/bystander:latest", "localhost/victim:latest"), names());
    assertTrue(store.check().run().isClean());
  }

  @Test
  void problems_printOnOneLineEach() throws Exception {
    createImages();
    Files.delete(file(part(Part.CONFIG).digest()));
    for (StoreCheck.Problem p : store.check().run().problems()) {
      assertFalse(p.toString().contains("\n"), p.toString());
    }
  }

  private List<String> names() throws IOException {
    List<String> out = new ArrayList<>();
    for (Images.ImageSummary s : store.images().list()) {
      out.add(s.name());
    }
    return out;
  }

  private static List<String> subjects(List<StoreCheck.Problem> problems) {
    return problems.stream().map(StoreCheck.Problem::subject).toList();
  }
}
