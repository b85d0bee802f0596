package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whatever a user feeds Lamina, a failure is one located line on stderr and exit 125: never a
 * stack trace, never a screenful of the user's own input echoed back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorLinesTest {
  @TempDir static Path tmp;
  private Cli lamina;

  @BeforeAll
  void busybox() throws Exception {
    lamina = new Cli(tmp.resolve("store"));
    Path rootfs = Cli.busyboxRootfs(tmp.resolve("rootfs"));
    lamina.run("import", rootfs.toString(), "busybox").ok();
  }

  private Path context(String name, byte[] recipe) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.write(dir.resolve("Dockerfile"), recipe);
    return dir;
  }

  private Path context(String name, String recipe) throws IOException {
    return context(name, recipe.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static String nested(int depth) {
    return "${a:-".repeat(depth) + "x" + "}".repeat(depth);
  }

  private static void assertOneLine(Cli.Result r, String... parts) {
    assertOneLine(ExitCodes.ERROR, r, parts);
  }

  /** A failed build exits 1, as docker build does. */
  private static void assertBuildFailed(Cli.Result r, String... parts) {
    assertOneLine(ExitCodes.BUILD_FAILED, r, parts);
  }

  private static void assertOneLine(int code, Cli.Result r, String... parts) {
    assertEquals(code, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("lamina: "), r.err());
    for (String part : parts) {
      assertTrue(r.err().contains(part), r.err());
    }
  }

  @Test
  void deepExpansion_isALocatedError() throws IOException {
    Path ctx = context("deep", "FROM busybox\nARG a\nENV v=" + nested(2000) + "\n");
    assertBuildFailed(lamina.run("build", "-q", ctx.toString()),
        "Dockerfile:3:", "nested more than 100 deep");
    Cli.Result check = lamina.run("check", ctx.toString());
    assertFalse(check.err().contains("StackOverflow"), check.err());
    assertTrue(check.code() == 0 || check.err().lines().count() == 1, check.err());
  }

  @Test
  void deepExpansion_inAShellFormRun_isLeftToTheShell_andCheckDoesNotCrash() throws IOException {
    Path ctx = context("deep-run", "FROM busybox\nARG a\nRUN echo " + nested(2000) + "\n");
    Cli.Result check = lamina.run("check", ctx.toString());
    assertEquals(0, check.code(), check.err());
  }

  @Test
  void hugeQuotedInput_isCutInTheMessage() throws IOException {
    String huge = "y".repeat(1 << 20);
    Path ctx = context("huge", "FROM busybox\nENV v=${a:?" + huge + "\n");
    Cli.Result r = lamina.run("build", "-q", ctx.toString());
    assertBuildFailed(r, "Dockerfile:2:", "characters cut", "missing '}'");
    assertTrue(r.err().length() < 2 * Excerpts.MAX_LINE, "length " + r.err().length());
  }

  @Test
  void randomBytes_isALocatedError_withTheBytesShownEscaped() throws IOException {
    byte[] noise = new byte[3000];
    new java.util.Random(7).nextBytes(noise);
    noise[0] = 'x';
    noise[1] = (byte) 0xff;
    Path ctx = context("noise", noise);
    Cli.Result build = lamina.run("build", "-q", ctx.toString());
    assertBuildFailed(build, "Dockerfile:1: unknown instruction: x\\xff");
    Cli.Result check = lamina.run("check", ctx.toString());
    assertOneLine(check, "Dockerfile:1: unknown instruction: x\\xff");
    for (Cli.Result r : List.of(build, check)) {
      assertFalse(r.err().contains("Input length"), r.err());
    }
  }

  @Test
  void invalidUtf8InAnArgument_isKept_asBuildKitReadsBytes() throws IOException {
    byte[] head = "FROM busybox\nLABEL a=".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] recipe = java.util.Arrays.copyOf(head, head.length + 2);
    recipe[head.length] = (byte) 0xe9;
    recipe[head.length + 1] = '\n';
    Path ctx = context("latin1", recipe);
    lamina.run("build", "-q", "-t", "latin1", ctx.toString()).ok();
    assertEquals(0, lamina.run("check", ctx.toString()).code());
  }

  @Test
  void nulInAReference_isRefused() throws IOException {
    Path ctx = context("nul", "FROM busybox\0\n");
    assertBuildFailed(lamina.run("build", "-q", ctx.toString()),
        "Dockerfile:1:", "busybox\\x00: invalid reference format");
  }

  /** Runs {@code lamina ARGS} without the test store's {@code --root}. */
  private static Cli.Result bare(String... args) {
    java.io.PrintStream oldErr = System.err;
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    try (java.io.PrintStream e = new java.io.PrintStream(err, true,
        java.nio.charset.StandardCharsets.UTF_8)) {
      System.setErr(e);
      int code = Main.execute(args);
      return new Cli.Result(code, "", err.toString(java.nio.charset.StandardCharsets.UTF_8));
    } finally {
      System.setErr(oldErr);
    }
  }

  @Test
  void rootThatIsAFile_isNotADirectory_forEveryCommand() throws IOException {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    for (String[] command : new String[][] {{"images"}, {"ps", "-a"}, {"volume", "ls"}}) {
      String[] args = new String[command.length + 2];
      args[0] = "--root";
      args[1] = file.toString();
      System.arraycopy(command, 0, args, 2, command.length);
      assertOneLine(bare(args), "not a directory: " + file);
    }
    assertEquals("x", Files.readString(file));
  }

  @Test
  void emptyRoot_isRefused() {
    assertOneLine(bare("--root", "", "ps", "-a"), "--root is empty");
    assertOneLine(bare("--root=", "images"), "--root is empty");
  }

  @Test
  void badHostname_isRefusedBeforeTheRuntime() {
    int before = lamina.run("ps", "-a", "-q").ok().lines().size();
    Cli.Result r = lamina.run("run", "--rm", "--hostname", "h".repeat(301), "busybox", "true");
    assertOneLine(r, "invalid --hostname", "longer than 64 characters");
    assertFalse(r.err().contains("sethostname"), r.err());
    assertEquals(before, lamina.run("ps", "-a", "-q").ok().lines().size(), "nothing was made");
  }

  @Test
  void unknownTemplateField_isRefused() {
    assertOneLine(lamina.run("images", "--format", "{{.Bogus}}"), "can't evaluate field Bogus");
    assertTrue(lamina.run("images", "--format", "{{.Repository}}").ok().lines()
        .contains("localhost/busybox"));
  }

  @Test
  void usageErrors_areOneLineAndExit125_asDockers() {
    assertOneLine(lamina.run("ps", "--bogus"), "Unknown option: '--bogus'", "see 'lamina ps --help'");
    assertOneLine(lamina.run("tag", "busybox"), "Missing required parameter",
        "see 'lamina tag --help'");
    assertOneLine(lamina.run("volume", "create", "a", "b"), "'b'");
    assertOneLine(lamina.run("volume"), "a subcommand is required",
        "(see 'lamina volume --help')");
    // Each group names every subcommand it has, by name, not alias.
    assertOneLine(lamina.run("system"), "a subcommand is required: check, prune, df or info");
    assertOneLine(lamina.run("builder"), "a subcommand is required: prune (");
    assertOneLine(bare(), "a command is required (see 'lamina --help')");
  }

  @Test
  void unknownCommand_suggestsTheNearest() {
    assertOneLine(lamina.run("imgaes"), "'imgaes' is not a lamina command; did you mean images?");
    assertOneLine(lamina.run("volume", "lss"),
        "'lss' is not a lamina volume command; did you mean ls?");
    Cli.Result far = lamina.run("frobnicate");
    assertOneLine(far, "'frobnicate' is not a lamina command (see 'lamina --help')");
    assertEquals("images", UnknownCommands.nearest("imgs", List.of("images", "inspect", "rmi")));
    assertEquals("ps", UnknownCommands.nearest("sp", List.of("ps", "rm")));
  }

  @Test
  void anError_isOneLineAndExit125_andDebugKeepsTheTrace() {
    for (Throwable t : new Throwable[] {
        new StackOverflowError(), new OutOfMemoryError("Java heap space"), new LinkageError("x"),
        new java.util.concurrent.CompletionException(new StackOverflowError())}) {
      StringWriter out = new StringWriter();
      int code = new ErrorHandler().handleThrowable(t, new PrintWriter(out), false);
      assertEquals(ExitCodes.ERROR, code);
      assertEquals(1, out.toString().lines().count(), out.toString());
      assertTrue(out.toString().startsWith("lamina: internal error: "), out.toString());

      StringWriter debug = new StringWriter();
      new ErrorHandler().handleThrowable(t, new PrintWriter(debug), true);
      assertTrue(debug.toString().contains("\tat "), debug.toString());
    }
  }
}
