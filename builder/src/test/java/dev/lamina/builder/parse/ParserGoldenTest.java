package dev.lamina.builder.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: {@code parser/<case>/Dockerfile} parsed and dumped must equal {@code
 * parser/<case>/result}. Run with {@code -Dlamina.golden.update=true} to rewrite the results (then
 * review the diff).
 */
class ParserGoldenTest {
  private static Path root() throws URISyntaxException {
    return Path.of(ParserGoldenTest.class.getResource("/parser").toURI());
  }

  static Stream<String> cases() throws IOException, URISyntaxException {
    try (Stream<Path> dirs = Files.list(root())) {
      return dirs
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  @Test
  void cases_areThere() throws Exception {
    assertTrue(cases().count() >= 10);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void parse_matchesGoldenResult(String name) throws Exception {
    Path dir = root().resolve(name);
    String text = Files.readString(dir.resolve("Dockerfile"), StandardCharsets.UTF_8);
    ParseResult result = Parser.parse(text, "Dockerfile");
    StringBuilder dump = new StringBuilder();
    Directives d = result.directives();
    if (!d.equals(Directives.DEFAULT)) {
      dump.append("# escape=").append(d.escape()).append(" syntax=").append(d.syntax());
      dump.append(" check=").append(d.check()).append('\n');
    }
    dump.append(result.dump());
    for (ParseWarning w : result.warnings()) {
      dump.append("# warning ").append(w.rule()).append(' ').append(w.range()).append(": ");
      dump.append(w.message()).append('\n');
    }
    Path golden = dir.resolve("result");
    if (Boolean.getBoolean("lamina.golden.update")) {
      // Write back to the source tree, not the copy under target/.
      Path source = Path.of("src/test/resources/parser", name, "result");
      Files.writeString(source, dump.toString(), StandardCharsets.UTF_8);
      return;
    }
    assertTrue(Files.exists(golden), "missing golden result for " + name + ":\n" + dump);
    assertEquals(
        List.of(Files.readString(golden, StandardCharsets.UTF_8).split("\n")),
        List.of(dump.toString().split("\n")),
        name);
  }
}
