package dev.lamina.builder.exec;

import dev.lamina.builder.copy.Placement.Owner;
import dev.lamina.runner.spec.ImageUsers;
import dev.lamina.runner.spec.ResolvedUser;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The numeric owner of {@code --chown} and of WORKDIR's directories: {@code uid}, {@code
 * uid:gid}, {@code name} or {@code name:group}, names looked up in the target root filesystem's
 * own {@code /etc/passwd} and {@code /etc/group} (read safely, inside the root). As BuildKit
 * does ({@code solver/llbsolver/file/user_linux.go}): a numeric user without a group gets its uid
 * as gid, a user name without a group gets that user's primary group from {@code /etc/passwd}.
 * Unlike BuildKit, which silently uses 0 for a name it cannot find, an unknown name is an error
 * (as the Dockerfile reference documents).
 */
final class Owners {
  private Owners() {}

  /**
   * Resolves {@code spec}.
   *
   * @param root the mounted root filesystem, or null for an empty one (names then fail)
   * @throws BuildException if a name is unknown or the value malformed
   */
  static Owner resolve(String spec, Path root) throws IOException {
    String s = spec.trim();
    int colon = s.indexOf(':');
    String user = colon < 0 ? s : s.substring(0, colon);
    String group = colon < 0 ? null : s.substring(colon + 1);
    if (user.isEmpty()) {
      throw new BuildException("invalid user: " + spec);
    }
    Long uid = number(user);
    Long gid = group == null || group.isEmpty() ? null : number(group);
    if (uid != null && (group == null || group.isEmpty() || gid != null)) {
      return new Owner(uid, gid != null ? gid : uid);
    }
    if (root == null) {
      throw new BuildException("unable to convert user/group " + spec
          + " to an id: the root filesystem has no /etc/passwd or /etc/group");
    }
    try {
      ResolvedUser u = ImageUsers.resolve(root, s);
      long resolvedUid = Integer.toUnsignedLong(u.uid());
      if ((group == null || group.isEmpty()) && uid != null) {
        return new Owner(resolvedUid, resolvedUid);
      }
      return new Owner(resolvedUid, Integer.toUnsignedLong(u.gid()));
    } catch (IOException e) {
      throw new BuildException(e.getMessage());
    }
  }

  private static Long number(String s) {
    if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(Character::isDigit)) {
      return null;
    }
    long v = Long.parseLong(s);
    return v > 0xFFFF_FFFFL ? null : v;
  }
}
