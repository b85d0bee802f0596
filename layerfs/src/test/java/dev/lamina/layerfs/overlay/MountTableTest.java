package dev.lamina.layerfs.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MountTableTest {
  @Test
  void parse_overlayLine_readsFields() {
    MountTable.Entry e =
        MountTable.parse(
            "612 29 0:77 / /var/lib/lamina/containers/ab\\040c/rootfs rw,relatime shared:300"
                + " - overlay overlay rw,lowerdir+=/l1,upperdir=/u,workdir=/w");
    assertEquals(612, e.id());
    assertEquals(29, e.parentId());
    assertEquals(Path.of("/var/lib/lamina/containers/ab c/rootfs"), e.mountPoint());
    assertEquals("overlay", e.fsType());
    assertEquals("rw,lowerdir+=/l1,upperdir=/u,workdir=/w", e.superOptions());
    assertFalse(e.overlayVolatile());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "overlay | rw,lowerdir=/l,upperdir=/u,workdir=/w,volatile | true",
        "overlay | rw,lowerdir=/l,upperdir=/u,workdir=/w,uuid=on,fsync=volatile | true",
        "overlay | rw,lowerdir=/l,upperdir=/u,workdir=/w,fsync=strict | false",
        "tmpfs | rw,volatile | false"
      })
  void overlayVolatile_eitherSpelling(String type, String options, boolean isVolatile) {
    MountTable.Entry e =
        MountTable.parse("50 27 0:41 / /m rw,relatime - " + type + " " + type + " " + options);
    assertEquals(isVolatile, e.overlayVolatile());
  }

  @Test
  void parse_noOptionalFields_readsFields() {
    MountTable.Entry e = MountTable.parse("22 1 0:21 / /proc rw,nosuid - proc proc rw");
    assertEquals(Path.of("/proc"), e.mountPoint());
    assertEquals("proc", e.fsType());
  }

  @Test
  void parse_malformed_null() {
    assertNull(MountTable.parse("not a mountinfo line"));
  }

  @ParameterizedTest
  @CsvSource({"a\\040b,a b", "a\\011b,a\tb", "a\\134b,a\\b", "plain,plain", "end\\04,end\\04"})
  void unescape_octal_decodes(String in, String out) {
    assertEquals(out, MountTable.unescape(in));
  }

  @Test
  void optionString_colonInPath_refused() {
    OverlayMount m = OverlayMount.of(List.of(Path.of("/a:b")), Path.of("/u"), Path.of("/w"));
    assertThrows(IllegalArgumentException.class, m::optionString);
  }

  @Test
  void optionString_lowersTopFirst_joined() {
    OverlayMount m =
        OverlayMount.of(List.of(Path.of("/top"), Path.of("/bottom")), Path.of("/u"), Path.of("/w"));
    assertEquals("lowerdir=/top:/bottom,upperdir=/u,workdir=/w", m.optionString());
  }
}
