package dev.lamina.layerfs.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.layerfs.transport.ImageLocation.Transport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageLocationTest {
  @ParameterizedTest
  @CsvSource(
      nullValues = "null",
      value = {
        "oci:/tmp/layout, OCI, /tmp/layout, null",
        "oci:/tmp/layout:latest, OCI, /tmp/layout, latest",
        "oci:/tmp/l:localhost/hello:latest, OCI, /tmp/l, localhost/hello:latest",
        "oci:rel/dir:, OCI, rel/dir, null",
        "oci-archive:/x.tar:hello, OCI_ARCHIVE, /x.tar, hello",
        "docker-archive:/x.tar, DOCKER_ARCHIVE, /x.tar, null",
        "docker-archive:/x.tar:docker.io/library/busybox:1.36, DOCKER_ARCHIVE, /x.tar,"
            + " docker.io/library/busybox:1.36",
        "docker://docker.io/library/busybox:1.36, DOCKER, docker.io/library/busybox:1.36, null",
      })
  void parse_splitsLikeSkopeo(String text, Transport t, String path, String ref) {
    ImageLocation l = ImageLocation.parse(text);
    assertEquals(t, l.transport());
    assertEquals(path, l.path());
    assertEquals(ref, l.ref());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "oci", "oci:", "dir:/x", "docker:busybox", "docker://", ":x"})
  void parse_rejectsMalformed(String text) {
    assertThrows(IllegalArgumentException.class, () -> ImageLocation.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"oci:/a:b", "oci-archive:/x.tar", "docker://h/n:t"})
  void toString_roundTrips(String text) {
    assertEquals(text, ImageLocation.parse(text).toString());
  }
}
