package dev.lamina.runner.spec;

import java.util.List;

/**
 * A user specification resolved against an image's own account files.
 *
 * @param home the home directory from /etc/passwd, or {@code /} when the user has no entry
 */
public record ResolvedUser(int uid, int gid, List<Integer> additionalGids, String home) {
  public ResolvedUser {
    additionalGids = List.copyOf(additionalGids);
  }
}
