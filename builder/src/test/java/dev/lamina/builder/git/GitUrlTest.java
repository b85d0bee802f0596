package dev.lamina.builder.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void notGit_downloadsAndContextPaths() throws Exception {
    for (String s : new String[] {"https://example.com/", "https://example.com/foo",
        "https://example.com/foo.git/", "https://example.com/foo.git.bar",
        "http://github.com/docker/docker.git:#branch", "file:///srv/repo.git", "/srv/repo.git",
        "repo.git", "./.git", ".git", "github.com/moby/buildkit", "ftp://example.com/x.git",
        "src", "a:b"}) {
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
    assertThrows(GitException.class, () -> GitUrl.parse("https://h/x.git?ref=main"));
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
}
