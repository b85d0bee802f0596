package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/lamina} on a checkout of its own (the launcher and a small jar): the class-data
 * archive made, remade and done without, the JDK remembered, and nothing but the JVM started.
 */
class LauncherTest {
  private static final Path LAUNCHER = Path.of("..", "bin", "lamina").toAbsolutePath().normalize();

  @TempDir Path tmp;
  private Path checkout;
  private Path jar;
  private Path archive;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void checkout() throws IOException {
    checkout = tmp.resolve("checkout");
    Path bin = Files.createDirectories(checkout.resolve("bin"));
    Files.copy(LAUNCHER, bin.resolve("lamina"));
    Path target = Files.createDirectories(checkout.resolve("cli/target"));
    jar = target.resolve("lamina.jar");
    archive = target.resolve("lamina.jsa");
    writeJar(jar);
  }

  /**
   * A jar whose main class is {@link LauncherProbe}, both by its manifest and under the name the
   * launcher gives the JVM ({@code dev.lamina.cli.Main}, a class that calls the probe).
   */
  private static void writeJar(Path jar) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherProbe.class.getName());
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out, manifest)) {
      for (Class<?> c : List.of(LauncherProbe.class, TrainCommand.class)) {
        String name = c.getName().replace('.', '/') + ".class";
        j.putNextEntry(new JarEntry(name));
        try (InputStream in = c.getClassLoader().getResourceAsStream(name)) {
          in.transferTo(j);
        }
        j.closeEntry();
      }
      j.putNextEntry(new JarEntry(Main.class.getName().replace('.', '/') + ".class"));
      j.write(mainCallingTheProbe());
      j.closeEntry();
    }
  }

  /** {@code dev.lamina.cli.Main} whose {@code main} calls {@link LauncherProbe#main}. */
  private static byte[] mainCallingTheProbe() {
    org.objectweb.asm.ClassWriter w =
        new org.objectweb.asm.ClassWriter(org.objectweb.asm.ClassWriter.COMPUTE_FRAMES
            | org.objectweb.asm.ClassWriter.COMPUTE_MAXS);
    String probe = LauncherProbe.class.getName().replace('.', '/');
    w.visit(org.objectweb.asm.Opcodes.V17,
        org.objectweb.asm.Opcodes.ACC_PUBLIC | org.objectweb.asm.Opcodes.ACC_FINAL,
        Main.class.getName().replace('.', '/'), null, "java/lang/Object", null);
    org.objectweb.asm.MethodVisitor m =
        w.visitMethod(org.objectweb.asm.Opcodes.ACC_PUBLIC | org.objectweb.asm.Opcodes.ACC_STATIC,
            "main", "([Ljava/lang/String;)V", null, null);
    m.visitCode();
    m.visitVarInsn(org.objectweb.asm.Opcodes.ALOAD, 0);
    m.visitMethodInsn(org.objectweb.asm.Opcodes.INVOKESTATIC, probe, "main",
        "([Ljava/lang/String;)V", false);
    m.visitInsn(org.objectweb.asm.Opcodes.RETURN);
    m.visitMaxs(0, 0);
    m.visitEnd();
    w.visitEnd();
    return w.toByteArray();
  }

  private Result launch(Path launcher, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    return run(command, env);
  }

  private static Result run(List<String> command, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("JAVA_HOME");
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    return new Result(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  private Result launch(String... args) throws IOException, InterruptedException {
    return launch(checkout.resolve("bin/lamina"), Map.of(), args);
  }

  private static void assertRan(Result r, String args, String archive) {
    assertEquals(0, r.code(), r.err());
    assertEquals("", r.err());
    assertEquals("args=" + args + " archive=" + archive + "\n", r.out());
  }

  @Test
  void missingArchive_isMade_andUsedFromTheFirstCall() throws Exception {
    assertFalse(Files.exists(archive));
    assertRan(launch("images", "-a"), "images -a", archive.toString());
    assertTrue(Files.size(archive) > 0);
    assertRan(launch("ps"), "ps", archive.toString());
  }

  @Test
  void versionAndHelp_getASmallArchiveOfTheirOwn_madeByRunningThem() throws Exception {
    Path quick = archive.resolveSibling("lamina-quick.jsa");
    assertRan(launch("version"), "version", quick.toString());
    assertFalse(Files.exists(archive), "the full archive is made by the first other command");
    assertRan(launch("--help"), "--help", quick.toString());
    assertRan(launch("-h"), "-h", quick.toString());
    // Only those shapes: with anything else the command loads what the full archive holds.
    assertRan(launch("ps", "--help"), "ps --help", archive.toString());
    assertRan(launch("version", "-x"), "version -x", archive.toString());
  }

  /**
   * What the launcher gives the commands that start a container besides their archive: G1 before
   * JDK 22, whose archived module graph needs it (the launcher's java is the one that runs this
   * test, found on the same PATH).
   */
  private static final String RUN_GC = Runtime.version().feature() < 22 ? " gc=G1" : "";

  /** run, create and start get the archive their training makes; any other the full one. */
  @Test
  void commandsStartingAContainer_getAnArchiveOfTheirOwn_madeByTheirTraining() throws Exception {
    Path run = archive.resolveSibling("lamina-run.jsa");
    Path trainings = tmp.resolve("trainings");
    Map<String, String> env = Map.of("LAUNCHER_PROBE_TRAININGS", trainings.toString());
    Path launcher = checkout.resolve("bin/lamina");
    String runs = run + RUN_GC;
    assertRan(launch(launcher, env, "run", "img"), "run img", runs);
    assertEquals(List.of(TrainCommand.NAME + " " + TrainCommand.RUN), Files.readAllLines(trainings));
    assertFalse(Files.exists(archive), "the full archive is made by the first other command");
    // After the global options, with their values.
    assertRan(launch(launcher, env, "--root", "/tmp/s", "create", "img"),
        "--root /tmp/s create img", runs);
    assertRan(launch(launcher, env, "--root=/tmp/s", "--debug", "start", "c"),
        "--root=/tmp/s --debug start c", runs);
    assertRan(launch(launcher, env, "--network-config-dir", "/tmp/n", "run", "-d", "img"),
        "--network-config-dir /tmp/n run -d img", runs);
    // A global option's value, or a later argument, that reads as one of them: another command.
    assertRan(launch(launcher, env, "--root", "run", "ps"), "--root run ps", archive.toString());
    assertRan(launch(launcher, env, "rm", "start"), "rm start", archive.toString());
    assertRan(launch(launcher, env, "container", "run"), "container run", archive.toString());
    assertEquals(List.of(TrainCommand.NAME + " " + TrainCommand.RUN, TrainCommand.NAME),
        Files.readAllLines(trainings));
  }

  /** Where their own archive cannot be made, they get the full one, not none. */
  @Test
  void commandsStartingAContainer_withoutTheirArchive_getTheFullOne() throws Exception {
    Map<String, String> failing =
        Map.of("LAUNCHER_PROBE_FAILING_TRAINING", TrainCommand.NAME + " " + TrainCommand.RUN);
    Path launcher = checkout.resolve("bin/lamina");
    // No archive at all yet: none.
    assertRan(launch(launcher, failing, "run", "img"), "run img", "none" + RUN_GC);
    assertFalse(Files.exists(archive.resolveSibling("lamina-run.jsa")));
    launch("ps"); // makes the full archive
    assertRan(launch(launcher, failing, "run", "img"), "run img", archive + RUN_GC);
    assertRan(launch(launcher, failing, "start", "c"), "start c", archive + RUN_GC);
  }

  @Test
  void staleArchive_isMadeAgain() throws Exception {
    launch("ps");
    // As after a new build of the jar: the archive is older.
    FileTime old = FileTime.from(Instant.now().minusSeconds(60));
    Files.setLastModifiedTime(archive, old);
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(30)));
    assertRan(launch("ps"), "ps", archive.toString());
    assertTrue(Files.getLastModifiedTime(archive).compareTo(old) > 0);
  }

  @Test
  void corruptArchive_isIgnoredByTheJvm() throws Exception {
    Files.write(archive, new byte[64 << 10]);
    Files.setLastModifiedTime(archive, FileTime.from(Instant.now().plusSeconds(5)));
    assertRan(launch("ps"), "ps", archive.toString());
  }

  @Test
  void jdkOnPath_isRemembered_andLookedUpAgainWhenPathChanges() throws Exception {
    Path remembered = archive.resolveSibling("lamina.jsa.jdk");
    launch("ps");
    List<String> lines = Files.readAllLines(remembered);
    assertEquals(System.getenv("PATH"), lines.get(0));
    assertTrue(Files.isSameFile(Path.of(lines.get(1)), Path.of(lines.get(2))));

    // A java that no longer leads where it did: looked up again, the file rewritten.
    Files.write(remembered, List.of(lines.get(0), lines.get(1), "/nonexistent/bin/java"));
    assertRan(launch("ps"), "ps", archive.toString());
    assertEquals(lines, Files.readAllLines(remembered));

    // Another PATH that leads to the same java (another user's, who cannot rewrite the record):
    // used as it is, found without starting a program to look it up.
    Path strace = Requirements.tool("strace");
    Path same = Files.createDirectories(tmp.resolve("same-java"));
    Files.createSymbolicLink(same.resolve("java"), Path.of(lines.get(2)));
    String samePath = same + ":" + System.getenv("PATH");
    Path trace = tmp.resolve("trace");
    Result r =
        run(
            List.of(strace.toString(), "-f", "-qq", "-e", "trace=execve", "-o", trace.toString(),
                checkout.resolve("bin/lamina").toString(), "ps"),
            Map.of("PATH", samePath));
    assertRan(r, "ps", archive.toString());
    List<String> execs =
        Files.readAllLines(trace).stream().filter(l -> l.contains("execve(")).toList();
    assertEquals(2, execs.size(), String.join("\n", execs));
    assertEquals(lines, Files.readAllLines(remembered));

    // Another PATH that leads to another java: looked up again, and the record rewritten.
    Path other = Files.createDirectories(tmp.resolve("other-java"));
    Path wrapper = other.resolve("java");
    Files.writeString(wrapper, "#!/bin/sh\nexec " + lines.get(2) + " \"$@\"\n");
    Files.setPosixFilePermissions(wrapper, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    String otherPath = other + ":" + System.getenv("PATH");
    assertRan(launch(checkout.resolve("bin/lamina"), Map.of("PATH", otherPath), "ps"), "ps",
        archive.toString());
    assertEquals(
        List.of(otherPath, wrapper.toString(), wrapper.toString()),
        Files.readAllLines(remembered));
  }

  @Test
  void javaHome_isUsed_withoutLookingUpPath() throws Exception {
    String home = System.getProperty("java.home");
    launch(checkout.resolve("bin/lamina"), Map.of("JAVA_HOME", home), "ps");
    Result r =
        launch(
            checkout.resolve("bin/lamina"),
            Map.of("JAVA_HOME", home, "PATH", "/nonexistent"),
        "ps");
    assertRan(r, "ps", archive.toString());
  }

  @Test
  void aCall_startsNoProgramButTheJvm() throws Exception {
    Path strace = Requirements.tool("strace");
    launch("ps"); // makes the archive and remembers the JDK
    Path trace = tmp.resolve("trace");
    Result r =
        run(
            List.of(strace.toString(), "-f", "-qq", "-e", "trace=execve", "-o", trace.toString(),
                checkout.resolve("bin/lamina").toString(), "ps"),
            Map.of());
    assertRan(r, "ps", archive.toString());
    List<String> execs =
        Files.readAllLines(trace).stream().filter(l -> l.contains("execve(")).toList();
    assertEquals(2, execs.size(), String.join("\n", execs));
    assertTrue(execs.get(1).contains("java"), execs.get(1));
  }

  /** The JVM is given the main class: its launcher does not open the jar to read the manifest. */
  @Test
  void aCall_opensNotTheJar() throws Exception {
    Path strace = Requirements.tool("strace");
    launch("ps"); // makes the archive
    Path trace = tmp.resolve("trace");
    Result r =
        run(
            List.of(strace.toString(), "-f", "-qq", "-e", "trace=open,openat", "-o",
                trace.toString(), checkout.resolve("bin/lamina").toString(), "ps"),
            Map.of());
    assertRan(r, "ps", archive.toString());
    List<String> opens =
        Files.readAllLines(trace).stream().filter(l -> l.contains(jar.toString())).toList();
    assertEquals(List.of(), opens);
  }

  @Test
  void jffiStubBesideTheJar_isGivenToJffi_andNoneWithoutIt() throws Exception {
    launch("ps"); // makes the archive
    assertRan(launch("ps"), "ps", archive.toString());
    String cpu = run(List.of("bash", "-c", "printf %s \"$HOSTTYPE\""), Map.of()).out();
    Path dir = Files.createDirectories(checkout.resolve("cli/target/jni/" + cpu + "-Linux"));
    Files.createFile(dir.resolve("libjffi-1.2.so"));
    Result r = launch("ps");
    assertEquals(0, r.code(), r.err());
    assertEquals("args=ps archive=" + archive + " jffi=" + dir + "\n", r.out());
  }

  /**
   * The stub the build unpacks beside the jar is the one jffi loads, as it is, not a copy it makes
   * out of the jar.
   */
  @Test
  void builtJffiStub_loadsWithoutACopy() throws Exception {
    String cpu = run(List.of("bash", "-c", "printf %s \"$HOSTTYPE\""), Map.of()).out();
    Path dir = Path.of("target", "jni", cpu + "-Linux").toAbsolutePath();
    assertTrue(Files.isRegularFile(dir.resolve("libjffi-1.2.so")), dir + " not unpacked");
    Result r =
        run(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djffi.boot.library.path=" + dir,
                "-cp", System.getProperty("java.class.path"), JffiProbe.class.getName()),
            Map.of());
    assertEquals(0, r.code(), r.err());
    assertEquals("stub: " + dir.resolve("libjffi-1.2.so") + "\n", r.out());
  }

  @Test
  void launcherCalledThroughALink_findsItsCheckout() throws Exception {
    Path link = Files.createSymbolicLink(tmp.resolve("lamina"), checkout.resolve("bin/lamina"));
    assertRan(launch(link, Map.of(), "ps"), "ps", archive.toString());
  }

  @Test
  void readOnlyCheckout_runs_withTheArchiveItHas_orWithout() throws Exception {
    Requirements.root();
    Path ro = Files.createDirectory(tmp.resolve("ro"));
    mount("--bind", checkout.toString(), ro.toString());
    try {
      mount("-o", "remount,bind,ro", ro.toString());
      Path launcher = ro.resolve("bin/lamina");
      // No archive, and none can be made: the command runs without one, quietly.
      assertRan(launch(launcher, Map.of(), "ps"), "ps", "none");
      assertFalse(Files.exists(archive));
      // One made while it was writable is used.
      launch("ps");
      assertRan(launch(launcher, Map.of(), "ps"), "ps",
          ro.resolve("cli/target/lamina.jsa").toString());
    } finally {
      run(List.of("umount", ro.toString()), Map.of());
    }
  }

  private static void mount(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("mount"));
    command.addAll(List.of(args));
    Result r = run(command, Map.of());
    assertEquals(0, r.code(), r.err());
  }
}
