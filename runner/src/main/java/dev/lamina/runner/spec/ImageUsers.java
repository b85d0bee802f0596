package dev.lamina.runner.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves {@code -u}/{@code USER} values ({@code name}, {@code uid}, {@code uid:gid}, {@code
 * name:group}) in the image's own {@code /etc/passwd} and {@code /etc/group}, read inside the root
 * filesystem with {@link RootFiles}, never through the host's name service (CVE-2019-14271). The
 * rules are runc's {@code GetExecUser}: a number need not exist in the files, a name must.
 */
public final class ImageUsers {
  private record PasswdEntry(String name, int uid, int gid, String home) {}

  private record GroupEntry(String name, int gid, List<String> members) {}

  private ImageUsers() {}

  /**
   * Resolves {@code spec} (null or empty means root).
   *
   * @throws UnknownUserException when a name is not in the image's files
   * @throws IOException when an account file is not a regular file, too large, or unreadable
   */
  public static ResolvedUser resolve(Path rootfs, String spec) throws IOException {
    String s = spec == null ? "" : spec.trim();
    int colon = s.indexOf(':');
    String named = colon >= 0 ? s.substring(0, colon) : s;
    String groupPart = colon >= 0 ? s.substring(colon + 1) : null;
    String userPart = named.isEmpty() ? "0" : named;
    List<PasswdEntry> passwd = readPasswd(rootfs);
    Integer numericUser = number(userPart);
    Optional<PasswdEntry> entry =
        passwd.stream()
            .filter(
                p -> numericUser == null ? p.name().equals(userPart) : p.uid() == numericUser)
            .findFirst();
    if (entry.isEmpty() && numericUser == null) {
      throw new UnknownUserException(
          "unable to find user " + userPart + ": no matching entries in the image's /etc/passwd");
    }
    int uid = entry.map(PasswdEntry::uid).orElse(numericUser);
    int gid = entry.map(PasswdEntry::gid).orElse(0);
    String home = entry.map(PasswdEntry::home).orElse("/");
    List<GroupEntry> groups = readGroups(rootfs);
    Set<Integer> additional = new LinkedHashSet<>();
    if (groupPart != null && !groupPart.isEmpty()) {
      gid = groupId(groups, groupPart);
      additional.add(gid);
    } else if (entry.isPresent()) {
      String name = entry.get().name();
      for (GroupEntry g : groups) {
        if (g.members().contains(name)) {
          additional.add(g.gid());
        }
      }
    }
    return new ResolvedUser(uid, gid, new ArrayList<>(additional), home);
  }

  private static int groupId(List<GroupEntry> groups, String group) throws UnknownUserException {
    Integer numeric = number(group);
    if (numeric != null) {
      return numeric;
    }
    return groups.stream()
        .filter(g -> g.name().equals(group))
        .findFirst()
        .orElseThrow(
            () ->
                new UnknownUserException(
                    "unable to find group "
                        + group
                        + ": no matching entries in the image's /etc/group"))
        .gid();
  }

  private static Integer number(String s) {
    if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(Character::isDigit)) {
      return null;
    }
    long v = Long.parseLong(s);
    return v > Integer.MAX_VALUE ? null : (int) v;
  }

  private static List<String> lines(Path rootfs, String path) throws IOException {
    Optional<byte[]> bytes = RootFiles.readRegularFile(rootfs, path);
    if (bytes.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String line : new String(bytes.get(), StandardCharsets.UTF_8).split("\n")) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        out.add(l);
      }
    }
    return out;
  }

  private static List<PasswdEntry> readPasswd(Path rootfs) throws IOException {
    List<PasswdEntry> out = new ArrayList<>();
    for (String line : lines(rootfs, "/etc/passwd")) {
      String[] f = line.split(":", -1);
      Integer uid = f.length >= 4 ? number(f[2]) : null;
      Integer gid = f.length >= 4 ? number(f[3]) : null;
      if (uid != null && gid != null) {
        out.add(new PasswdEntry(f[0], uid, gid, f.length >= 6 && !f[5].isEmpty() ? f[5] : "/"));
      }
    }
    return out;
  }

  private static List<GroupEntry> readGroups(Path rootfs) throws IOException {
    List<GroupEntry> out = new ArrayList<>();
    for (String line : lines(rootfs, "/etc/group")) {
      String[] f = line.split(":", -1);
      Integer gid = f.length >= 3 ? number(f[2]) : null;
      if (gid != null) {
        List<String> members =
            f.length >= 4 && !f[3].isEmpty() ? List.of(f[3].split(",")) : List.of();
        out.add(new GroupEntry(f[0], gid, members));
      }
    }
    return out;
  }
}
