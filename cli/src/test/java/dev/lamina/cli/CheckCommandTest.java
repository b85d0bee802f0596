package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lamina check}: its exit status and the rules that need the context. */
class CheckCommandTest {
  @TempDir Path tmp;

  private Cli.Result check(String recipe, String... files) throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx-" + recipe.hashCode()));
    Files.writeString(ctx.resolve("Dockerfile"), recipe);
    for (int i = 0; i + 1 < files.length; i += 2) {
      Files.writeString(ctx.resolve(files[i]), files[i + 1]);
    }
    return new Cli(tmp.resolve("root")).run("check", ctx.toString());
  }

  @Test
  void warnings_exitOne_asDockerBuildCheck_cleanExitsZero() throws Exception {
    Cli.Result warned = check("FROM busybox\nEXPOSE 80:8080 53/UDP\n");
    assertEquals(1, warned.code(), warned.out() + warned.err());
    assertTrue(warned.out().contains("WARNING: ExposeInvalidFormat - "
        + "https://docs.docker.com/go/dockerfile/rule/expose-invalid-format/"), warned.out());
    assertTrue(warned.out().contains("Dockerfile:2 Defined protocol '53/UDP' in EXPOSE"
        + " instruction should be lowercase"), warned.out());
    assertTrue(warned.out().contains("Check complete, 2 warnings found."), warned.out());
    assertEquals("", warned.err(), "warnings are the command's output, not an error");

    Cli.Result clean = check("FROM busybox\nEXPOSE 8080\n");
    assertEquals(0, clean.code(), clean.out() + clean.err());
    assertEquals("Check complete, no warnings found.\n", clean.out());

    Cli.Result json = new Cli(tmp.resolve("root")).run(
        "check", "--format", "json", tmp.resolve("ctx-" + "FROM busybox\nEXPOSE 80:8080 53/UDP\n"
            .hashCode()).toString());
    assertEquals(1, json.code(), json.out() + json.err());
  }

  @Test
  void copyIgnoredFile_readsTheContextsIgnoreFile() throws Exception {
    Cli.Result r = check("FROM busybox\nCOPY app.log /\n", ".dockerignore", "*.log\n",
        "app.log", "x");
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("Attempting to Copy file \"app.log\" that is excluded by"
        + " .dockerignore"), r.out());
  }
}
