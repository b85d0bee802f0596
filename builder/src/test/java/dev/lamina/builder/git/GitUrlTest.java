package dev.lamina.builder.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which ADD sources are git repositories, by BuildKit's rules, and what their parts are. */
class GitUrlTest {

  private static GitUrl git(String source) throws GitException {
    return GitUrl.parse(source).orElseThrow(() -> new AssertionError("not git: " + source));
  }

  @Test
  void gitForms() throws Exception {
    GitUrl https = git("https://github.com/moby/buildkit.git");
    assertEquals("https://github.com/moby/buildkit.git", https.remote());
    assertEquals("", https.ref());
    assertEquals("", https.subdir());
    assertEquals("git@github.com:moby/buildkit", git("git@github.com:moby/buildkit").remote());
    assertEquals("git://example.com/foo", git("git://example.com/foo").remote());
    assertEquals("ssh://git@example.com:2222/foo", git("ssh://git@example.com:2222/foo")
        .remote());
    assertEquals("http://[::1]:8080/x.git", git("http://[::1]:8080/x.git").remote());
    assertEquals("HTTPS://example.com/x.git", git("HTTPS://example.com/x.git").remote());
  }

  @Test
  void overSsh_sshUrlsAndScpLikeOnly() throws Exception {
    for (String s : new String[] {"ssh://git@example.com:2222/foo", "SSH://h/x#main",
        "git@github.com:moby/buildkit", "git@h:a://b"}) {
      assertTrue(git(s).overSsh(), s);
    }
    for (String s : new String[] {"https://h/x.git", "http://user@h/x.git#main",
        "git://h/ssh://x"}) {
      assertFalse(git(s).overSsh(), s);
    }
  }

  @Test
  void notGit_downloadsAndContextPaths() throws Exception {
    for (String s : new String[] {"https://example.com/", "https://example.com/foo",
        "https://example.com/foo.git/", "https://example.com/foo.git.bar",
        "http://github.com/docker/docker.git:#branch", "file:///srv/repo.git", "/srv/repo.git",
        "repo.git", "./.git", ".git", "github.com/moby/buildkit", "ftp://example.com/x.git",
        "src", "a:b", "https://example.com/foo?ref=main", "https://example.com/a.tgz?x.git",
        "file:///srv/repo.git?ref=main"}) {
      assertTrue(GitUrl.parse(s).isEmpty(), s);
      assertFalse(GitUrl.isGit(s), s);
    }
  }

  @Test
  void fragment_refAndSubdir() throws Exception {
    GitUrl both = git("https://github.com/foo/bar.git#baz/qux:quux/quuz");
    assertEquals("https://github.com/foo/bar.git", both.remote());
    assertEquals("baz/qux", both.ref());
    assertEquals("quux/quuz", both.subdir());
    GitUrl subOnly = git("https://github.com/docker/docker.git#:/myfolder/");
    assertEquals("", subOnly.ref());
    assertEquals("myfolder", subOnly.subdir());
    assertEquals("", git("git@host:x.git#main:../..").subdir(), "cleaned inside the tree");
    assertEquals("v1", git("git@host:x.git#v1").ref());
    String sha = "0123456789abcdef0123456789abcdef01234567";
    assertTrue(git("git://host/x#" + sha).refIsCommit());
    assertFalse(git("git://host/x#0123456").refIsCommit(), "short ids are refs");
  }

  @Test
  void refused_commandTransportsOptionsAndUnsupportedForms() {
    for (String s : new String[] {"ext::sh -c touch% /tmp/pwned", "fd::0", "EXT::x"}) {
      GitException e = assertThrows(GitException.class, () -> GitUrl.parse(s), s);
      assertTrue(e.getMessage().contains("is not allowed"), e.getMessage());
      assertTrue(GitUrl.isGit(s));
    }
    assertThrows(GitException.class, () -> GitUrl.parse("ssh://-oProxyCommand=x/repo"));
    assertThrows(GitException.class, () -> GitUrl.parse("git@-oProxy:repo"));
    assertThrows(GitException.class, () -> GitUrl.parse("git@host:-upload-pack=x"));
    assertThrows(GitException.class, () -> GitUrl.parse("https://h/x.git#--upload-pack=x"));
    assertThrows(GitException.class, () -> GitUrl.parse("https://h/x.git##ref=main"));
  }

  @Test
  void secrets_redactedInWhatIsShown() throws Exception {
    GitUrl pw = git("https://user:s3cret@example.com/x.git#main");
    assertEquals("https://user:s3cret@example.com/x.git", pw.remote());
    assertEquals("https://user:xxxxx@example.com/x.git#main", pw.shown());
    assertEquals("https://user:xxxxx@example.com/x.git", pw.shownRemote());
    assertEquals("ADD https://user:xxxxx@example.com/x.git#main /src",
        pw.redact("ADD https://user:s3cret@example.com/x.git#main /src"));
    GitUrl token = git("https://ghp_T0KEN@example.com/x.git");
    assertEquals("https://xxxxx@example.com/x.git", token.shown(), "a lone HTTP user is a token");
    GitUrl ssh = git("ssh://git@example.com/x");
    assertNull(ssh.credentials(), "an ssh user name is no secret");
    assertEquals("ssh://git@example.com/x", ssh.shown());
    assertEquals("git@github.com:a/b.git", git("git@github.com:a/b.git").shown());
  }

  @Test
  void query_namesWhatTheFragmentDoesAndMore() throws Exception {
    GitUrl q = git("https://github.com/foo/bar.git?ref=v1.0&subdir=/docs/");
    assertEquals("https://github.com/foo/bar.git", q.remote(), "git gets no query");
    assertEquals("v1.0", q.ref());
    assertEquals("docs", q.subdir());
    GitUrl f = git("https://github.com/foo/bar.git#v1.0:docs");
    assertEquals(List.of(f.remote(), f.ref(), f.subdir()), List.of(q.remote(), q.ref(),
        q.subdir()), "the same source as the fragment form");
    assertEquals("refs/tags/v1", git("https://h/x.git?tag=v1").ref());
    assertEquals("refs/tags/v1", git("https://h/x.git?tag=refs/tags/v1").ref());
    assertEquals("refs/heads/rel/2", git("https://h/x.git?branch=rel/2").ref());
    assertEquals("refs/pull/42/head", git("https://h/x.git?ref=refs/pull/42/head").ref());
    assertEquals("a b/c", git("https://h/x.git?subdir=a+b%2Fc").subdir(), "decoded as Go does");
    GitUrl scp = git("git@github.com:foo/bar.git?ref=main&subdir=d#main");
    assertEquals("git@github.com:foo/bar.git", scp.remote());
    assertEquals("main", scp.ref());
    assertEquals("d", scp.subdir());
    assertEquals("ssh://git@h/x", git("ssh://git@h/x?branch=b").remote());
    assertEquals("git://h/x", git("git://h/x?ref=b").remote());
    GitUrl none = git("https://h/x.git");
    assertNull(none.checksum());
    assertNull(none.keepGitDir());
    assertTrue(none.submodules());
  }

  @Test
  void query_checksumKeepGitDirAndSubmodules() throws Exception {
    GitUrl tagged = git("https://h/x.git?tag=v1&checksum=66735c67");
    assertEquals("refs/tags/v1", tagged.ref());
    assertEquals("66735c67", tagged.checksum());
    String sha = "0123456789abcdef0123456789abcdef01234567";
    GitUrl commit = git("https://h/x.git?commit=" + sha);
    assertEquals(sha, commit.ref(), "the checksum is the ref when nothing else names one");
    assertTrue(commit.refIsCommit());
    assertEquals(Boolean.TRUE, git("https://h/x.git?keep-git-dir=true").keepGitDir());
    assertEquals(Boolean.TRUE, git("https://h/x.git?keep-git-dir").keepGitDir(), "a bare key");
    assertEquals(Boolean.TRUE, git("https://h/x.git?keep-git-dir=1").keepGitDir());
    assertEquals(Boolean.FALSE, git("https://h/x.git?keep-git-dir=False").keepGitDir());
    assertFalse(git("https://h/x.git?submodules=false").submodules());
    assertTrue(git("https://h/x.git?submodules").submodules());
  }

  @Test
  void query_withTheFragment_mustAgree() throws Exception {
    GitUrl both = git("https://h/x.git?ref=v1&subdir=docs#v1:docs");
    assertEquals("v1", both.ref());
    assertEquals("docs", both.subdir());
    assertEquals("refs/tags/v1", git("https://h/x.git?tag=v1#refs/tags/v1").ref());
    assertEquals("v2", git("https://h/x.git?subdir=d#v2").ref());
    assertRefused("https://h/x.git?ref=v2#v1", "ref conflicts: \"v1\" vs \"v2\"");
    assertRefused("https://h/x.git?tag=v1#v1", "ref conflicts: \"v1\" vs \"refs/tags/v1\"");
    assertRefused("https://h/x.git?subdir=a#:b", "subdir conflicts: \"b\" vs \"a\"");
    assertRefused("https://h/x.git?branch=b&ref=b", "ref conflicts: \"b\" vs \"refs/heads/b\"");
    assertRefused("https://h/x.git?branch=b&tag=t", "branch conflicts with tag");
  }

  @Test
  void query_refusedAsBuildKitRefusesIt() {
    assertRefused("https://h/x.git?reff=main", "unexpected query \"reff\"");
    assertRefused("https://h/x.git?ref=", "query \"ref\" has no value");
    assertRefused("https://h/x.git?subdir", "query \"subdir\" has no value");
    assertRefused("https://h/x.git?ref=a&ref=b", "query \"ref\" has multiple values");
    assertRefused("https://h/x.git?keep-git-dir=yes", "invalid keep-git-dir value: \"yes\"");
    assertRefused("https://h/x.git?submodules=no", "invalid submodules value: \"no\"");
    assertRefused("https://h/x.git?ref=a;subdir=b", "invalid semicolon separator in query");
    assertRefused("https://h/x.git?ref=%zz", "invalid escape in query");
    assertRefused("https://h/x.git?ref=--upload-pack=x", "invalid ref \"--upload-pack=x\"");
    assertRefused("https://h/x.git?tag=a%20b", "invalid ref \"refs/tags/a b\"");
    assertRefused("git@h:x.git?nope=1", "unexpected query \"nope\"");
  }

  @Test
  void query_secretRedactedInWhatIsShownAndInErrors() throws Exception {
    GitUrl pw = git("https://user:s3cret@example.com/x.git?ref=main&subdir=d");
    assertEquals("https://user:s3cret@example.com/x.git", pw.remote());
    assertEquals("https://user:xxxxx@example.com/x.git?ref=main&subdir=d", pw.shown());
    assertEquals("https://user:xxxxx@example.com/x.git", pw.shownRemote());
    GitException e = assertThrows(GitException.class,
        () -> GitUrl.parse("https://T0KEN@example.com/x.git?nope=1"));
    assertEquals("git URL https://xxxxx@example.com/x.git?nope=1: unexpected query \"nope\""
        + " (supported: ref, tag, branch, subdir, checksum, commit, keep-git-dir, submodules)",
        e.getMessage());
  }

  @Test
  void withFlags_mergesChecksumAndKeepGitDirAsBuildKitDoes() throws Exception {
    GitUrl plain = git("https://h/x.git#main");
    GitUrl flagged = plain.withFlags("abc123", Boolean.TRUE);
    assertEquals("abc123", flagged.checksum());
    assertEquals(Boolean.TRUE, flagged.keepGitDir());
    assertEquals(plain, plain.withFlags(null, null));
    GitUrl query = git("https://h/x.git?ref=main&checksum=abc123&keep-git-dir=true");
    assertEquals(query, query.withFlags("abc123", Boolean.TRUE), "both say the same");
    assertEquals(query, query.withFlags(null, null));
    GitException sum = assertThrows(GitException.class, () -> query.withFlags("abc", null));
    assertTrue(sum.getMessage().endsWith("checksum mismatch \"abc\" != \"abc123\""),
        sum.getMessage());
    GitException keep = assertThrows(GitException.class,
        () -> query.withFlags(null, Boolean.FALSE));
    assertTrue(keep.getMessage().contains("inconsistent keep-git-dir configuration"),
        keep.getMessage());
  }

  private static void assertRefused(String source, String reason) {
    GitException e = assertThrows(GitException.class, () -> GitUrl.parse(source), source);
    assertTrue(e.getMessage().startsWith("git URL "), e.getMessage());
    assertTrue(e.getMessage().contains(": " + reason), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertTrue(GitUrl.isGit(source), "refused, not taken for a path: " + source);
  }
}
