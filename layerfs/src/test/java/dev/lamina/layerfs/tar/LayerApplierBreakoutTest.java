package dev.lamina.layerfs.tar;

import static dev.lamina.layerfs.tar.LowerTree.lower;
import static dev.lamina.layerfs.tar.TarFixture.charDevice;
import static dev.lamina.layerfs.tar.TarFixture.hardlinkEntry;
import static dev.lamina.layerfs.tar.TarFixture.symlinkEntry;
import static dev.lamina.layerfs.tar.TarFixture.tar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile layers (HARDENING.md section 1, after containerd TestBreakouts, moby/go-archive, umoci
 * and filepath-securejoin): each case is a lower tree, a tar, and either a validator or the
 * expected error. After every case, the sibling {@code victim/} and the prefix-sharing {@code
 * dest-evil/} must be unchanged.
 *
 * <p>Where moby rejects a name or link that climbs above the root, Lamina contains it instead, as
 * umoci, containerd and a real chroot do: {@code ..} at the root stays at the root. Those cases
 * check where the entry landed inside the root.
 */
class LayerApplierBreakoutTest {

  interface Check {
    void verify(Path root) throws IOException;
  }

  record Case(
      String name,
      LowerTree lower,
      Function<BreakoutHarness, byte[]> tar,
      Check check,
      String error) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case ok(String name, LowerTree lower, byte[] tar, Check check) {
    return new Case(name, lower, h -> tar, check, null);
  }

  static Case ok(String name, byte[] tar, Check check) {
    return ok(name, lower(), tar, check);
  }

  static Case fails(String name, LowerTree lower, byte[] tar, String error) {
    return new Case(name, lower, h -> tar, null, error);
  }

  static Case fails(String name, byte[] tar, String error) {
    return fails(name, lower(), tar, error);
  }

  static final String UNIQUE = "lamina-breakout-" + UUID.randomUUID();

  static Stream<Case> cases() {
    return Stream.of(
        // ---- names
        ok("NameDotDotVictim", tar().file("../victim/x", "pwned").bytes(),
            content("victim/x", "pwned")),
        ok("NameDotDotAloneAsFile", tar().file("..", "pwned").file("after", "ok").bytes(),
            content("after", "ok")),
        ok("NameDotDotAloneAsDirectory", tar().dir("..", 0755).file("after", "ok").bytes(),
            content("after", "ok")),
        ok("NameDoubleDotDot", tar().file("../../pwned", "pwned").bytes(),
            content("pwned", "pwned")),
        ok("NameAbsoluteDotDot", tar().file("/../victim/x", "pwned").bytes(),
            content("victim/x", "pwned")),
        ok("NameScopedPrefixes",
            tar().file("/../../../etc/a", "a").file("/./.././../etc/b", "b")
                .file("/../../../", "root-file").bytes(),
            all(content("etc/a", "a"), content("etc/b", "b"))),
        ok("SymlinkScopedPrefixes",
            tar().symlink("/./.././../link", "/../../../../outside").file("link/f", "f").bytes(),
            all(content("outside/f", "f"), isSymlink("link", "/../../../../outside"))),
        ok("DotDotLookalikes", tar().file("..gitme", "a").file("foo/..bar", "b").bytes(),
            all(content("..gitme", "a"), content("foo/..bar", "b"))),
        ok("NonDirectoryParentBecomesDirectory",
            tar().file("file", "x").file("file/sub", "y").bytes(),
            all(content("file/sub", "y"), isDirectory("file"))),

        // ---- symlinks
        ok("SymlinkAbsolute",
            tar().dir("etc").symlink("localetc", "/etc").file("/localetc/unbroken", "unbroken")
                .bytes(),
            UNBROKEN),
        ok("SymlinkUpAndOut",
            tar().dir("etc").dir("dummy").symlink("localetc", "/dummy/../etc")
                .file("/localetc/unbroken", "unbroken").bytes(),
            UNBROKEN),
        ok("SymlinkMultipleAbsolute",
            tar().dir("etc").dir("dummy").symlink("/dummy/etc", "/etc")
                .symlink("localetc", "/dummy/etc").file("/dummy/etc/unbroken", "unbroken")
                .bytes(),
            UNBROKEN),
        ok("SymlinkMultipleRelative",
            tar().dir("etc").dir("dummy").symlink("/dummy/etc", "/etc")
                .symlink("localetc", "./dummy/etc").file("/dummy/etc/unbroken", "unbroken")
                .bytes(),
            UNBROKEN),
        ok("SymlinkEmptyFile",
            tar().dir("etc").file("etc/emptied", "notempty").symlink("localetc", "/etc")
                .file("/localetc/emptied", "").bytes(),
            content("etc/emptied", "")),
        ok("SymlinkLoophole",
            tar().symlink("loophole-victim", "../victim").file("loophole-victim/file", "pwned")
                .bytes(),
            content("victim/file", "pwned")),
        ok("SymlinkLoopholeNested",
            tar().dir("dir").symlink("dir/loophole", "../../victim")
                .file("dir/loophole/newdir/f", "pwned").bytes(),
            content("victim/newdir/f", "pwned")),
        ok("SymlinkTwoHop",
            tar().dir("inner").symlink("inner/go_up", "..")
                .symlink("inner/go_up/escape", "../victim")
                .file("inner/go_up/escape/newfile", "pwned").bytes(),
            all(content("victim/newfile", "pwned"), isSymlink("escape", "../victim"))),
        // moby rejects this; under chroot semantics "escape -> .." is the root itself, so the
        // file lands in <root>/target and nothing outside the root is named at all.
        ok("RelativeEscapeBeforeAbsoluteSymlink",
            lower().dir("target").symlink("escape", "..").symlink("absolute", "/target"),
            tar().file("escape/absolute/file", "content").bytes(),
            content("target/file", "content")),
        ok("LowerAbsoluteSymlinkForFilesAndImpliedDirs",
            lower().dir("var").symlink("var/run", "/run").dir("run/existing"),
            tar().file("var/run/existing/non-existing/file", "content").bytes(),
            all(content("run/existing/non-existing/file", "content"),
                isSymlink("var/run", "/run"))),
        ok("HardlinkSourceThroughLowerSymlink",
            lower().dir("usr/lib").file("usr/lib/libc.so", "libc").symlink("lib", "usr/lib"),
            tar().hardlink("libc-copy", "/lib/libc.so").bytes(),
            sameFile("libc-copy", "usr/lib/libc.so")),
        ok("SymlinkParentDirectory",
            tar().dir("etc").file("/etc/passwd", "inside").symlink("..", "/etc/")
                .hardlink("localpasswd", "/etc/passwd").bytes(),
            sameFile("localpasswd", "etc/passwd")),
        ok("SymlinkEmptyFilename",
            tar().dir("etc").file("/etc/passwd", "inside").symlink("", "/etc/")
                .hardlink("localpasswd", "/etc/passwd").bytes(),
            sameFile("localpasswd", "etc/passwd")),
        ok("SymlinkParentRelative",
            tar().dir("etc").file("/etc/passwd", "inside").symlink("localetc/sub/..", "/etc/")
                .hardlink("/localetc/localpasswd", "/etc/passwd").bytes(),
            all(sameFile("localetc/localpasswd", "etc/passwd"), isSymlink("localetc", "/etc/"))),
        ok("SymlinkSlashEnded",
            tar().dir("etc").file("/etc/passwd", "inside").dir("localetc/")
                .hardlink("/localetc/localpasswd", "/etc/passwd").bytes(),
            sameFile("localetc/localpasswd", "etc/passwd")),
        ok("SymlinkOverrideDirectory",
            lower().file("etc/passwd", "inside").dir("localetc"),
            tar().symlink("localetc", "/etc").hardlink("/localetc/localpasswd", "/etc/passwd")
                .bytes(),
            all(sameFile("localetc/localpasswd", "etc/passwd"), isSymlink("localetc", "/etc"))),
        ok("SymlinkOverrideDirectoryRelative",
            lower().file("etc/passwd", "inside").dir("localetc"),
            tar().symlink("localetc", "../../etc")
                .hardlink("/localetc/localpasswd", "/etc/passwd").bytes(),
            sameFile("localetc/localpasswd", "etc/passwd")),
        ok("DirectoryOverrideSymlink",
            lower().file("etc/passwd", "inside").symlink("localetc", "/etc"),
            tar().dir("/localetc/").hardlink("/localetc/localpasswd", "/etc/passwd").bytes(),
            all(sameFile("localetc/localpasswd", "etc/passwd"), isDirectory("localetc"))),
        ok("DirectoryOverrideSymlinkAndHardlink",
            lower().file("etc/passwd", "inside").symlink("localetc", "etc")
                .hardlink("etc/localpasswd", "etc/passwd"),
            tar().dir("/localetc/").file("/localetc/localpasswd", "different").bytes(),
            all(notSameFile("localetc/localpasswd", "etc/passwd"),
                content("etc/passwd", "inside"))),
        ok("SymlinkOverridePathDuplicates",
            tar().file("foo/tmp/" + UNIQUE, "1").symlink("foo", "/")
                .file("foo/tmp/" + UNIQUE, "2").dir("foo").file("foo/tmp/" + UNIQUE, "3")
                .bytes(),
            all(content("foo/tmp/" + UNIQUE, "3"), content("tmp/" + UNIQUE, "2"),
                root -> assertFalse(Files.exists(Path.of("/tmp", UNIQUE)), "host /tmp"))),
        ok("RegularFileReplacesSymlinkNotWritesThrough",
            lower().file("bin/busybox", "busybox binary").symlink("bin/sh", "busybox"),
            tar().file("bin/sh", "#!/bin/dash").bytes(),
            all(content("bin/busybox", "busybox binary"), content("bin/sh", "#!/bin/dash"),
                isRegular("bin/sh"))),
        ok("SymlinkOverSameSymlinkIsNotSelfReferential",
            lower().file("bin/dash", "dash binary").symlink("bin/sh", "dash"),
            tar().symlink("bin/sh", "dash").bytes(),
            all(isSymlink("bin/sh", "dash"), content("bin/dash", "dash binary"),
                isRegular("bin/dash"))),
        fails("SymlinkSelfLoop",
            tar().symlink("self", "/../self").file("self/x", "x").bytes(),
            "too many levels of symbolic links"),
        fails("SymlinkMutualLoop",
            tar().symlink("a", "b").symlink("b", "a").file("a/x", "x").bytes(),
            "too many levels of symbolic links"),
        ok("DotDotIsNotLexical",
            lower().dir("subdir").dir("cp/c").symlink("subdir/link", "../cp/c"),
            tar().file("subdir/link/../t", "t").bytes(),
            all(content("cp/t", "t"), absent("subdir/t"))),

        // ---- hardlinks
        fails("HardlinkRelativeToVictim", tar().hardlink("l", "../victim/hello").bytes(),
            "does not exist"),
        fails("HardlinkAbsoluteDotDotToVictim", tar().hardlink("l", "/../victim/hello").bytes(),
            "does not exist"),
        fails("HardlinkToDirectory",
            tar().dir("d").hardlink("l", "d").file("l/x", "x").bytes(), "is a directory"),
        ok("HardlinkDirectRelative",
            tar().dir("etc").file("/etc/passwd", "inside")
                .hardlink("localpasswd", "../../../../../etc/passwd").bytes(),
            sameFile("localpasswd", "etc/passwd")),
        ok("HardlinkDirectAbsolute",
            tar().dir("etc").file("/etc/passwd", "inside").hardlink("localpasswd", "/etc/passwd")
                .bytes(),
            sameFile("localpasswd", "etc/passwd")),
        ok("HardlinkRelative",
            tar().dir("etc").file("/etc/passwd", "inside").dir("breakouts")
                .symlink("breakouts/d1", "../../etc")
                .hardlink("breakouts/mypasswd", "/breakouts/d1/passwd").bytes(),
            sameFile("breakouts/mypasswd", "etc/passwd")),
        ok("HardlinkDownAndOut",
            tar().dir("etc").file("/etc/passwd", "inside").dir("breakouts").dir("downandout")
                .symlink("breakouts/d1", "../downandout/../../etc")
                .hardlink("breakouts/mypasswd", "/breakouts/d1/passwd").bytes(),
            sameFile("breakouts/mypasswd", "etc/passwd")),
        ok("HardlinkAbsolute",
            tar().dir("etc").file("/etc/passwd", "inside").symlink("localetc", "/etc")
                .hardlink("localpasswd", "/localetc/passwd").bytes(),
            sameFile("localpasswd", "etc/passwd")),
        ok("HardlinkRelativeLong",
            tar().dir("etc").file("/etc/passwd", "inside")
                .symlink("localetc", "../../../../../../../etc")
                .hardlink("localpasswd", "/localetc/passwd").bytes(),
            sameFile("localpasswd", "etc/passwd")),
        ok("HardlinkRelativeUpAndOut",
            tar().dir("etc").file("/etc/passwd", "inside")
                .symlink("localetc", "upandout/../../../etc")
                .hardlink("localpasswd", "/localetc/passwd").bytes(),
            sameFile("localpasswd", "etc/passwd")),
        ok("HardlinkSymlinkRelative",
            tar().dir("etc").file("/etc/passwd", "inside")
                .symlink("passwdlink", "../../../../../etc/passwd")
                .hardlink("localpasswd", "/passwdlink").bytes(),
            all(sameInode("localpasswd", "passwdlink"),
                isSymlink("localpasswd", "../../../../../etc/passwd"),
                sameFile("localpasswd", "etc/passwd"))),
        ok("HardlinkSymlinkAbsolute",
            tar().dir("etc").file("/etc/passwd", "inside").symlink("passwdlink", "/etc/passwd")
                .hardlink("localpasswd", "/passwdlink").bytes(),
            all(sameInode("localpasswd", "passwdlink"), sameFile("localpasswd", "etc/passwd"))),
        ok("HardlinkSymlinkBeforeCreateTarget",
            tar().dir("etc").symlink("localpasswd", "/etc/passwd")
                .hardlink("localpasswd-dup", "localpasswd").file("/etc/passwd", "after")
                .bytes(),
            all(sameInode("localpasswd-dup", "localpasswd"),
                sameFile("localpasswd-dup", "etc/passwd"))),
        new Case("HardlinkSymlinkChmod", lower(),
            h -> tar().add(symlinkEntry(h.base.resolve("also-exists-outside-root").toString(),
                        h.victim.resolve("perm400").toString()))
                .add(hardlinkEntry("sketchylink", h.base.resolve("also-exists-outside-root").toString())
                    .mode(0777))
                .bytes(),
            root -> assertTrue(Files.isSymbolicLink(root.resolve("sketchylink"))), null),
        ok("HardlinkAbsoluteInRoot",
            tar().file("usr/bin/perl", "perl").hardlink("usr/bin/perlbug", "/usr/bin/perl")
                .bytes(),
            sameFile("usr/bin/perlbug", "usr/bin/perl")),
        fails("HardlinkSiblingPrefix", tar().hardlink("secret", "../dest-evil/secret").bytes(),
            "does not exist"),

        // ---- whiteouts (flattened rootfs)
        fails("WhiteoutRoot", lower().file("etc/passwd", "inside"),
            tar().file(".wh..", "").bytes(), "invalid whiteout"),
        fails("WhiteoutParent", lower().file("etc/passwd", "inside"),
            tar().file(".wh...", "").bytes(), "invalid whiteout"),
        fails("WhiteoutParentInSubdir", lower().file("etc/passwd", "inside"),
            tar().file("etc/.wh...", "").bytes(), "invalid whiteout"),
        fails("WhiteoutCurrentDirectory", lower().file("etc/passwd", "inside"),
            tar().file("etc/.wh..", "").bytes(), "invalid whiteout"),
        fails("WhiteoutBare", lower().file("etc/passwd", "inside"),
            tar().file(".wh.", "").bytes(), "invalid whiteout"),
        ok("WhiteoutSymlink",
            lower().file("etc/passwd", "all users").symlink("localetc", "/etc"),
            tar().file(".wh.localetc", "").bytes(),
            all(content("etc/passwd", "all users"), absent("localetc"))),
        ok("WhiteoutSymlinkPath",
            lower().file("etc/passwd", "all users").file("etc/whitedout", "whiteout me")
                .symlink("localetc", "/etc"),
            tar().file("localetc/.wh.whitedout", "").bytes(),
            all(content("etc/passwd", "all users"), absent("etc/whitedout"))),
        ok("WhiteoutDirectoryName",
            lower().file("etc/passwd", "all users"),
            tar().file(".wh.etc/somefile", "non-empty").bytes(),
            all(content("etc/passwd", "all users"), content(".wh.etc/somefile", "non-empty"))),
        ok("WhiteoutDeadSymlinkParent",
            lower().file("etc/passwd", "all users").symlink("localetc", "/dne"),
            tar().file("localetc/.wh.etc", "").bytes(),
            content("etc/passwd", "all users")),
        ok("WhiteoutRelativePath",
            lower().file("etc/passwd", "all users").symlink("localetc", "/dne"),
            tar().file("dne/../.wh.etc", "").bytes(),
            absent("etc")),
        ok("WhiteoutOutsideRootIsContained",
            lower().file("keep", "keep"),
            tar().file("../victim/.wh.hello", "").file("../.wh.victim", "").bytes(),
            content("keep", "keep")),
        ok("WhiteoutThroughSymlinkToVictimIsContained",
            lower().symlink("v", "../victim"),
            tar().file("v/.wh.hello", "").file("v/.wh.sub", "").bytes(),
            isSymlink("v", "../victim")),

        // ---- special files
        fails("DeviceMajorAboveUint32",
            tar().add(charDevice("dev/big", (1L << 32) + 1, 1)).bytes(), "out of range"),
        fails("DeviceMinorNegative", tar().add(charDevice("dev/neg", 1, -1)).bytes(),
            "out of range"));
  }

  static final Check UNBROKEN = content("etc/unbroken", "unbroken");

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void apply_hostileLayer_nothingOutsideRootChanges(Case c, @TempDir Path tmp) throws Exception {
    BreakoutHarness h = new BreakoutHarness(tmp.toRealPath());
    c.lower().apply(h.dest);
    byte[] tar = c.tar().apply(h);
    ApplyOptions options = ApplyOptions.defaults(WhiteoutFormat.flatten());
    if (c.error() != null) {
      LayerFormatException e =
          assertThrows(
              LayerFormatException.class,
              () -> LayerApplier.apply(new ByteArrayInputStream(tar), h.dest, options));
      assertTrue(e.getMessage().contains(c.error()), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line");
    } else {
      LayerApplier.apply(new ByteArrayInputStream(tar), h.dest, options);
      c.check().verify(h.dest);
    }
    h.assertUntouched();
  }

  // ---- validators

  static Check all(Check... checks) {
    return root -> {
      for (Check c : checks) {
        c.verify(root);
      }
    };
  }

  static Check content(String name, String expected) {
    return root -> {
      Path p = new RootedPath(root).resolve(name);
      assertTrue(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS), name + " is a regular file");
      assertEquals(expected, BreakoutHarness.read(p), name);
    };
  }

  static Check absent(String name) {
    return root ->
        assertFalse(Files.exists(root.resolve(name), LinkOption.NOFOLLOW_LINKS), name + " absent");
  }

  static Check isDirectory(String name) {
    return root ->
        assertTrue(Files.isDirectory(root.resolve(name), LinkOption.NOFOLLOW_LINKS), name);
  }

  static Check isRegular(String name) {
    return root ->
        assertTrue(Files.isRegularFile(root.resolve(name), LinkOption.NOFOLLOW_LINKS), name);
  }

  static Check isSymlink(String name, String target) {
    return root -> {
      assertTrue(Files.isSymbolicLink(root.resolve(name)), name + " is a symlink");
      assertEquals(target, Files.readSymbolicLink(root.resolve(name)).toString());
    };
  }

  /** Both names, resolved inside the root (following links), are the same inode. */
  static Check sameFile(String a, String b) {
    return root -> assertTrue(same(root, a, b), a + " and " + b + " are the same file");
  }

  static Check notSameFile(String a, String b) {
    return root -> assertFalse(same(root, a, b), a + " and " + b + " are different files");
  }

  /** The names themselves (not followed) are one inode: a hardlinked symlink. */
  static Check sameInode(String a, String b) {
    return root -> {
      FileStat sa = Posix.lstat(root.resolve(a));
      FileStat sb = Posix.lstat(root.resolve(b));
      assertEquals(sb.ino(), sa.ino(), a + " and " + b + " share an inode");
    };
  }

  private static boolean same(Path root, String a, String b) throws IOException {
    RootedPath paths = new RootedPath(root);
    FileStat sa = Posix.lstat(paths.resolve(a));
    FileStat sb = Posix.lstat(paths.resolve(b));
    return sa.dev() == sb.dev() && sa.ino() == sb.ino();
  }
}
