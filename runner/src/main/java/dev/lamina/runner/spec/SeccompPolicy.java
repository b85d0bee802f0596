package dev.lamina.runner.spec;

import java.nio.file.Path;

/**
 * Which seccomp filter a container gets ({@code --security-opt seccomp=...}): Lamina's default,
 * none ({@code unconfined}), or a profile file in Docker's format.
 *
 * @param profile the profile file, or null for the default or none
 * @param unconfined whether no filter is installed
 */
public record SeccompPolicy(Path profile, boolean unconfined) {
  public static final SeccompPolicy DEFAULT = new SeccompPolicy(null, false);
  public static final SeccompPolicy UNCONFINED = new SeccompPolicy(null, true);

  public SeccompPolicy {
    if (profile != null && unconfined) {
      throw new IllegalArgumentException("a seccomp profile cannot also be unconfined");
    }
  }

  /** The profile in {@code file} (Docker's format, or the runtime spec's {@code seccomp}). */
  public static SeccompPolicy profile(Path file) {
    return new SeccompPolicy(file.toAbsolutePath(), false);
  }

  /**
   * {@code --security-opt seccomp=VALUE}: {@code unconfined}, or the path of a profile.
   *
   * @throws IllegalArgumentException for an empty value
   */
  public static SeccompPolicy parse(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("seccomp= needs 'unconfined' or a profile file");
    }
    return value.equals("unconfined") ? UNCONFINED : profile(Path.of(value));
  }
}
