package dev.lamina.runner.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** docker's --mount keys and their aliases. */
class MountFlagTest {
  @Test
  void bind_aliasesReadonlyPropagation() throws Exception {
    assertEquals(
        new VolumeSpec.Bind(Path.of("/a,b"), "/x", true, "rslave"),
        MountFlag.parse("type=bind,\"src=/a,b\",destination=/x/,ro=true,bind-propagation=rslave")
            .volume());
    assertEquals(
        new VolumeSpec.Bind(Path.of("/a"), "/x", false, null),
        MountFlag.parse("type=bind,source=/a/./,target=/x,readonly=false,consistency=cached")
            .volume());
  }

  @Test
  void volume_namedAnonymousNocopy() throws Exception {
    assertEquals(
        new VolumeSpec.Named("data", "/d", true, true),
        MountFlag.parse("type=volume,source=data,dst=/d,readonly,volume-nocopy").volume());
    assertEquals(
        new VolumeSpec.Named(null, "/d", false, false),
        MountFlag.parse("type=volume,target=/d").volume());
  }

  @Test
  void tmpfs_sizeAndMode() throws Exception {
    MountFlag f = MountFlag.parse("type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1777,ro");
    assertNull(f.volume());
    assertEquals("/t:size=64m,mode=1777,ro", f.tmpfs());
    assertEquals("/t", MountFlag.parse("type=tmpfs,target=/t").tmpfs());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "target=/x", "type=bind,target=/x", "type=bind,src=x,dst=/x", "type=volume,src=a",
        "type=volume,dst=x", "type=glusterfs,dst=/x", "type=tmpfs,src=a,dst=/x",
        "type=tmpfs,dst=/x,tmpfs-mode=999", "type=bind,src=/a,dst=/x,size=1",
        "type=volume,src=../up,dst=/x", "type=bind,src=/a,dst=/x,readonly=maybe",
        "type=bind,src=/a,dst=/x,src=/b", "type=bind,\"src=/a,dst=/x",
        "type=volume,dst=/x,volume-opt=o=size=1m"
      })
  void invalid_oneLineNamingIt(String bad) {
    VolumeException e = assertThrows(VolumeException.class, () -> MountFlag.parse(bad));
    assertTrue(e.getMessage().startsWith("invalid --mount " + bad), e.getMessage());
  }
}
