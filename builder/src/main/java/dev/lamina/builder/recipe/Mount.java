package dev.lamina.builder.recipe;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;

/**
 * A {@code RUN --mount=...}. Paths, ids and sources are as written until {@link #expand(Expander)};
 * BuildKit's defaults are applied when parsed (read-only binds, cache id = its target, secret id =
 * target's base name, cache mode 0755, secret 0400, ssh 0600).
 */
public sealed interface Mount
    permits Mount.Bind, Mount.Cache, Mount.Tmpfs, Mount.Secret, Mount.Ssh {

  /** The mount point in the container, or null for a secret exposed only as an environment. */
  String target();

  /**
   * This mount with its string options expanded.
   *
   * @throws ExpansionException if an option is malformed
   */
  Mount expand(Expander expander) throws ExpansionException;

  /** How concurrent builds share a cache mount. */
  enum Sharing {
    SHARED,
    PRIVATE,
    LOCKED
  }

  /** {@code type=bind}: a path of the context or of another stage/image ({@code from}). */
  record Bind(String target, String source, String from, boolean readOnly) implements Mount {
    @Override
    public Bind expand(Expander e) throws ExpansionException {
      return new Bind(e.word(target), opt(e, source), opt(e, from), readOnly);
    }
  }

  /**
   * {@code type=cache}: a persistent directory reused between builds.
   *
   * @param ownership whether {@code uid}, {@code gid} or {@code mode} was given: BuildKit then
   *     mounts a directory made with them, which makes it a cache of its own
   */
  record Cache(
      String target,
      String id,
      Sharing sharing,
      String source,
      String from,
      boolean readOnly,
      int mode,
      int uid,
      int gid,
      boolean ownership)
      implements Mount {
    /** A cache mount without {@code uid}, {@code gid} or {@code mode}. */
    public Cache(String target, String id, Sharing sharing, String source, String from,
        boolean readOnly, int mode, int uid, int gid) {
      this(target, id, sharing, source, from, readOnly, mode, uid, gid, false);
    }

    @Override
    public Cache expand(Expander e) throws ExpansionException {
      return new Cache(
          e.word(target),
          e.word(id),
          sharing,
          opt(e, source),
          opt(e, from),
          readOnly,
          mode,
          uid,
          gid,
          ownership);
    }
  }

  /**
   * {@code type=tmpfs}.
   *
   * @param size the size limit in bytes, 0 for none
   */
  record Tmpfs(String target, long size) implements Mount {
    @Override
    public Tmpfs expand(Expander e) throws ExpansionException {
      return new Tmpfs(e.word(target), size);
    }
  }

  /**
   * {@code type=secret}: a secret file (at {@code target}) and/or environment variable ({@code
   * env}).
   */
  record Secret(String id, String target, String env, boolean required, int mode, int uid, int gid)
      implements Mount {
    @Override
    public Secret expand(Expander e) throws ExpansionException {
      return new Secret(e.word(id), opt(e, target), opt(e, env), required, mode, uid, gid);
    }
  }

  /** {@code type=ssh}: an SSH agent socket; a null target lets the runtime choose one. */
  record Ssh(String id, String target, boolean required, int mode, int uid, int gid)
      implements Mount {
    @Override
    public Ssh expand(Expander e) throws ExpansionException {
      return new Ssh(e.word(id), opt(e, target), required, mode, uid, gid);
    }
  }

  private static String opt(Expander e, String value) throws ExpansionException {
    return value == null ? null : e.word(value);
  }
}
