package dev.lamina.builder.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.lamina.builder.context.FileDigests;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.tar.LayerEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a COPY's cache key says of its sources. */
class SourceSetTest {
  @TempDir Path tmp;

  private SourceSet collect(Path context) throws Exception {
    return SourceSet.collect(SourceTree.context(context, p -> false), List.of("tree"), Map.of(),
        new SourceSet.Options(List.of(), false, false, FileDigests.uncached(), Instant.EPOCH));
  }

  @Test
  void fingerprint_afterAWriteWalk_describesWhatThatWalkFound() throws Exception {
    Path context = tmp.resolve("ctx");
    Files.createDirectories(context.resolve("tree/deep"));
    Files.writeString(context.resolve("tree/deep/a.txt"), "a");
    Files.writeString(context.resolve("tree/b.txt"), "b");
    SourceSet sources = collect(context);
    Digest looked = sources.fingerprint(); // the cache lookup's walk

    // A file added after the lookup's walk, before the write's: the write's walk finds it.
    Files.writeString(context.resolve("tree/deep/added.txt"), "added");
    List<String> written = new ArrayList<>();
    for (LayerEntry e : sources.items().get(0).contents()) {
      written.add(e.path());
    }
    assertEquals(List.of("b.txt", "deep", "deep/a.txt", "deep/added.txt"), written);

    Digest recorded = sources.fingerprint();
    assertNotEquals(looked, recorded, "the added file is in the key the layer is recorded under");
    assertEquals(collect(context).fingerprint(), recorded,
        "the same key a later build computes for the same tree");
  }
}
