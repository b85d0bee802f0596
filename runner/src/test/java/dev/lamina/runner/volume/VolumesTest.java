package dev.lamina.runner.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VolumesTest {
  @TempDir Path root;

  @ParameterizedTest
  @ValueSource(strings = {"..", ".", "../x", "a/b", "/abs", "-x", "_x", "", "a b", "a:b"})
  void create_invalidName_refusedAndNothingWritten(String name) throws IOException {
    Path store = Files.createDirectories(root.resolve("store"));
    Volumes v = Volumes.at(store, Set::of);
    assertThrows(VolumeException.class, () -> v.create(name));
    try (var entries = Files.list(root)) {
      assertEquals(List.of(store), entries.toList());
    }
    assertFalse(Files.exists(store.resolve("x")));
    assertEquals(List.of(), v.list());
  }

  @Test
  void create_existing_returnsSameVolume() throws IOException {
    Volumes v = Volumes.at(root, Set::of);
    Volume a = v.create("data.1_x-y");
    Files.writeString(a.mountpoint().resolve("f"), "kept");
    Volume b = v.create("data.1_x-y");
    assertEquals(a.created(), b.created());
    assertEquals("kept", Files.readString(b.mountpoint().resolve("f")));
    assertEquals(root.resolve("volumes/data.1_x-y/_data"), b.mountpoint());
  }

  @Test
  void remove_inUse_refused() throws IOException {
    Volumes v = Volumes.at(root, () -> Set.of("busy"));
    v.create("busy");
    assertThrows(VolumeException.class, () -> v.remove("busy"));
    assertTrue(v.find("busy").isPresent());
  }

  @Test
  void prune_removesOnlyUnused_anonymousUnlessAll() throws IOException {
    Volumes v = Volumes.at(root, () -> Set.of("used"));
    v.create("used");
    v.create("idle");
    Volume anon = v.createAnonymous();
    assertEquals(List.of(anon.name()), v.prune(false));
    assertEquals(List.of("idle"), v.prune(true));
    assertEquals(List.of("used"), v.list().stream().map(Volume::name).toList());
  }

  @Test
  void parse_forms() throws IOException {
    assertEquals(new VolumeSpec.Named("data", "/d", true), VolumeSpec.parse("data:/d/:ro"));
    assertEquals(
        new VolumeSpec.Bind(Path.of("/host/x"), "/x", false), VolumeSpec.parse("/host/./x:/x"));
    assertEquals(new VolumeSpec.Named(null, "/anon", false), VolumeSpec.parse("/anon"));
    assertThrows(VolumeException.class, () -> VolumeSpec.parse("data:rel"));
    assertThrows(VolumeException.class, () -> VolumeSpec.parse("../x:/x"));
    for (String contradictory :
        new String[] {"v:/x:rw,ro", "v:/x:ro,rw", "/h:/x:ro,ro", "v:/x:z,Z"}) {
      VolumeException e =
          assertThrows(VolumeException.class, () -> VolumeSpec.parse(contradictory), contradictory);
      assertTrue(e.getMessage().startsWith("invalid mode: "), e.getMessage());
    }
    assertEquals(new VolumeSpec.Named("v", "/x", true), VolumeSpec.parse("v:/x:ro,z"));
    assertThrows(VolumeException.class, () -> VolumeSpec.parse("data:/x:rbind"));
    assertThrows(VolumeException.class, () -> VolumeSpec.parse("data:/"));
  }
}
