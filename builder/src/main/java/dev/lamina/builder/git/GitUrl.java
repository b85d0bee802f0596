package dev.lamina.builder.git;

import dev.lamina.builder.copy.Paths;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ADD source that names a git repository, as BuildKit tells them from files and HTTP URLs:
 *
 * <ul>
 *   <li>{@code https://host/path.git} and {@code http://host/path.git} (the path, without query
 *       and fragment, ends with {@code .git}; other HTTP URLs are downloads);
 *   <li>any {@code git://} and {@code ssh://} URL;
 *   <li>the scp-like {@code user@host:path}.
 * </ul>
 *
 * <p>A fragment {@code #ref:subdir} picks a branch, tag or full commit id (the default branch when
 * empty) and a directory of the tree (its root when empty). BuildKit's query form says the same
 * and more ({@link GitQuery}): {@code ?ref=v1&subdir=docs}, {@code ?tag=}, {@code ?branch=},
 * {@code ?checksum=} (alias {@code commit}), {@code ?keep-git-dir=} and {@code ?submodules=}; a
 * URL may have both, as long as they agree. Anything else ({@code file://}, a plain path ending
 * with {@code .git}) is not a git source and stays a build context path, as in BuildKit. Git's
 * {@code transport::address} form ({@code ext::sh -c ...}, {@code fd::}) is refused outright: it
 * would let a recipe run commands on the host.
 *
 * @param source the source as written
 * @param remote the repository URL handed to git, credentials included, without query and
 *     fragment
 * @param ref the branch, tag or commit asked for; empty for the default branch
 * @param subdir the directory of the tree to copy, relative and cleaned; empty for the root
 * @param checksum a hex prefix the commit id (or annotated tag's) must have, or null
 * @param keepGitDir whether to keep {@code .git}, or null when the URL does not say
 * @param submodules whether to check out submodules (only {@code ?submodules=false} skips them)
 * @param credentials the secret part of the URL ({@code user:password} of HTTP, a password
 *     elsewhere), or null when there is none
 */
public record GitUrl(
    String source,
    String remote,
    String ref,
    String subdir,
    String checksum,
    Boolean keepGitDir,
    boolean submodules,
    String credentials) {

  /** Git's schemes BuildKit accepts: {@code gitutil.ParseURL}. */
  private static final Set<String> SCHEMES = Set.of("http", "https", "ssh", "git");

  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z0-9]+)://");
  private static final Pattern TRANSPORT = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)::");
  /** BuildKit's {@code sshutil}: the path ends at the first {@code ?} (a query) or {@code #}. */
  private static final Pattern SCP = Pattern.compile(
      "^([A-Za-z0-9_-]+)@([A-Za-z0-9.-]+):([^#?]*)(?:\\?([^#]*))?(?:#(.*))?$", Pattern.DOTALL);
  /** {@code [userinfo@]host[:port][/path]}, the host possibly a bracketed IPv6 address. */
  private static final Pattern AUTHORITY = Pattern.compile(
      "^(?:([^@/]*)@)?(\\[[^\\]/]*\\]|[^/:]*)(?::[0-9]*)?(/.*)?$", Pattern.DOTALL);

  /** Replaces a URL's secret in everything that is shown or kept. */
  static final String REDACTED = "xxxxx";

  /**
   * The git source {@code source} names, or empty when it is a file or download.
   *
   * @throws GitException for git's command-running transports and malformed git URLs
   */
  public static Optional<GitUrl> parse(String source) throws GitException {
    Matcher transport = TRANSPORT.matcher(source);
    if (transport.find()) {
      throw new GitException("git transport \"" + transport.group(1) + "::\" is not allowed, "
          + "use an https://, http://, ssh:// or git:// URL or user@host:path");
    }
    Matcher scheme = SCHEME.matcher(source);
    if (scheme.find()) {
      String name = scheme.group(1).toLowerCase(Locale.ROOT);
      if (!SCHEMES.contains(name)) {
        return Optional.empty();
      }
      return fromUrl(source, name, source.substring(scheme.end()));
    }
    Matcher scp = SCP.matcher(source);
    if (scp.matches()) {
      String host = scp.group(2);
      String path = scp.group(3);
      refuseOption(host);
      refuseOption(path);
      String remote = scp.group(1) + "@" + host + ":" + path;
      return Optional.of(withOptions(source, remote, scp.group(5), scp.group(4), null));
    }
    return Optional.empty();
  }

  /** Whether {@code source} is a git source (refused forms included). */
  public static boolean isGit(String source) {
    try {
      return parse(source).isPresent();
    } catch (GitException e) {
      return true;
    }
  }

  private static Optional<GitUrl> fromUrl(String source, String scheme, String rest)
      throws GitException {
    int hash = rest.indexOf('#');
    String fragment = hash < 0 ? null : rest.substring(hash + 1);
    String base = hash < 0 ? rest : rest.substring(0, hash);
    int query = base.indexOf('?');
    Matcher m = AUTHORITY.matcher(query < 0 ? base : base.substring(0, query));
    if (!m.matches()) {
      throw new GitException("invalid git URL " + redact(source, null));
    }
    String userinfo = m.group(1);
    String host = m.group(2);
    String path = m.group(3) == null ? "" : m.group(3);
    boolean http = scheme.startsWith("http");
    if (http && !path.endsWith(".git")) {
      return Optional.empty(); // a download
    }
    if (host.isEmpty()) {
      throw new GitException("git URL " + redact(source, secret(userinfo, http))
          + " has no host");
    }
    refuseOption(host);
    String remote = source.substring(0, source.length() - rest.length())
        + (query < 0 ? base : base.substring(0, query));
    return Optional.of(withOptions(source, remote, fragment,
        query < 0 ? null : base.substring(query + 1), secret(userinfo, http)));
  }

  /**
   * The part of {@code userinfo} never to show: the password; for HTTP a lone user name too, as
   * tokens travel there ({@code https://TOKEN@host/...}).
   */
  private static String secret(String userinfo, boolean http) {
    if (userinfo == null || userinfo.isEmpty()) {
      return null;
    }
    int colon = userinfo.indexOf(':');
    if (colon >= 0) {
      return userinfo.substring(colon + 1).isEmpty() ? null : userinfo.substring(colon + 1);
    }
    return http ? userinfo : null;
  }

  private static GitUrl withOptions(String source, String remote, String fragment,
      String query, String credentials) throws GitException {
    String shown = "git URL " + redact(source, credentials);
    String ref = "";
    String subdir = "";
    if (fragment != null && !fragment.isEmpty()) {
      if (fragment.startsWith("#")) {
        throw new GitException(shown
            + ": the ##key=value fragment is not supported, use #ref:subdir or ?key=value");
      }
      int colon = fragment.indexOf(':');
      ref = colon < 0 ? fragment : fragment.substring(0, colon);
      subdir = colon < 0 ? "" : fragment.substring(colon + 1);
    }
    GitQuery q;
    try {
      q = GitQuery.parse(query == null ? "" : query, ref, subdir);
    } catch (GitQuery.Invalid e) {
      throw new GitException(shown + ": " + e.getMessage());
    }
    ref = q.ref();
    // The ref reaches git's command line (after "--", in a refspec): no option, no space.
    if (ref.startsWith("-") || ref.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new GitException(shown + ": invalid ref \"" + ref + "\"");
    }
    subdir = q.subdir().isEmpty() ? "" : Paths.clean(q.subdir()).substring(1);
    return new GitUrl(source, remote, ref, subdir, q.checksum(), q.keepGitDir(),
        q.submodules(), credentials);
  }

  /**
   * This source with ADD's {@code --checksum} and {@code --keep-git-dir} (each null when not
   * given) merged in, as BuildKit merges them: where both the flag and the URL say, they must
   * agree.
   *
   * @throws GitException when they disagree
   */
  public GitUrl withFlags(String flagChecksum, Boolean flagKeepGitDir) throws GitException {
    if (flagChecksum != null && checksum != null && !flagChecksum.equals(checksum)) {
      throw new GitException("git URL " + shown() + ": checksum mismatch \"" + flagChecksum
          + "\" != \"" + checksum + "\"");
    }
    if (flagKeepGitDir != null && keepGitDir != null && !flagKeepGitDir.equals(keepGitDir)) {
      throw new GitException("git URL " + shown()
          + ": inconsistent keep-git-dir configuration (--keep-git-dir=" + flagKeepGitDir
          + ", keep-git-dir=" + keepGitDir + ")");
    }
    return new GitUrl(source, remote, ref, subdir, checksum != null ? checksum : flagChecksum,
        keepGitDir != null ? keepGitDir : flagKeepGitDir, submodules, credentials);
  }

  /** Git itself refuses ssh hosts and paths that look like options; so does this, earlier. */
  private static void refuseOption(String part) throws GitException {
    if (part.startsWith("-")) {
      throw new GitException("invalid git URL: \"" + part + "\" looks like an option");
    }
  }

  /** The source as written with its secret replaced: for messages, history and cache keys. */
  public String shown() {
    return redact(source);
  }

  /** The repository URL with its secret replaced: what a kept {@code .git} may record. */
  public String shownRemote() {
    return redact(remote);
  }

  /** {@code text} with this URL's secret replaced wherever it appears. */
  public String redact(String text) {
    return redact(text, credentials);
  }

  private static String redact(String text, String secret) {
    return secret == null ? text : text.replace(secret + "@", REDACTED + "@");
  }

  /** Whether git reaches this remote over ssh: an {@code ssh://} URL or {@code user@host:path}. */
  public boolean overSsh() {
    Matcher scheme = SCHEME.matcher(remote);
    return !scheme.find() || scheme.group(1).equalsIgnoreCase("ssh");
  }

  /** Whether {@code ref} is a full commit id (SHA-1 or SHA-256), which needs no lookup. */
  public boolean refIsCommit() {
    return isCommitId(ref);
  }

  static boolean isCommitId(String s) {
    return (s.length() == 40 || s.length() == 64) && s.chars().allMatch(GitUrl::isLowerHex);
  }

  static boolean isLowerHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
}
