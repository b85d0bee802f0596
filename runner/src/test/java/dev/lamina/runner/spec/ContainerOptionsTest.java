package dev.lamina.runner.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Options are checked when they are made, before any runtime sees them. */
class ContainerOptionsTest {
  private static String refused(String hostname) {
    return assertThrows(IllegalArgumentException.class,
        () -> ContainerOptions.builder().hostname(hostname).build(), hostname).getMessage();
  }

  @Test
  void hostname_validOnes_areKept() {
    for (String ok : new String[] {"web", "a", "db-1.example.com", "x_y", "h".repeat(64)}) {
      assertEquals(ok, ContainerOptions.builder().hostname(ok).build().hostname());
    }
  }

  @Test
  void hostname_tooLongOrMalformed_isOneClearMessage() {
    assertTrue(refused("h".repeat(301)).endsWith("it is longer than 64 characters"));
    assertTrue(refused("h".repeat(65)).contains("longer than 64"));
    assertTrue(refused("").endsWith("it is empty"));
    assertTrue(refused("a b").contains("use only letters, digits"));
    assertTrue(refused("a/b").contains("use only letters, digits"));
    assertTrue(refused("-a").contains("start and end with a letter or digit"));
    assertTrue(refused("a.").contains("start and end with a letter or digit"));
  }
}
