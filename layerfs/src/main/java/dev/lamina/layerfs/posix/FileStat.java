package dev.lamina.layerfs.posix;

/**
 * What lstat(2) says of one path, without following a final symlink.
 *
 * @param mode full st_mode: file type bits and permission bits (including setuid, setgid, sticky)
 * @param rdevMajor device major number, for character and block devices
 * @param rdevMinor device minor number
 * @param ctimeSeconds last status change (st_ctim): any write, chmod, chown, link or rename of
 *     the inode moves it, and no caller can set it back
 * @param ctimeNanos its nanoseconds
 */
public record FileStat(
    long dev,
    long ino,
    int mode,
    int nlink,
    int uid,
    int gid,
    long size,
    long mtimeSeconds,
    long mtimeNanos,
    int rdevMajor,
    int rdevMinor,
    long ctimeSeconds,
    long ctimeNanos) {

  public static final int S_IFMT = 0170000;
  public static final int S_IFSOCK = 0140000;
  public static final int S_IFLNK = 0120000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFBLK = 0060000;
  public static final int S_IFDIR = 0040000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFIFO = 0010000;

  /** The modification time. */
  public java.time.Instant mtime() {
    return java.time.Instant.ofEpochSecond(mtimeSeconds, mtimeNanos);
  }

  /** Permission bits including setuid (04000), setgid (02000) and sticky (01000). */
  public int permissions() {
    return mode & 07777;
  }

  public int type() {
    return mode & S_IFMT;
  }

  public boolean isDirectory() {
    return type() == S_IFDIR;
  }

  public boolean isRegularFile() {
    return type() == S_IFREG;
  }

  public boolean isSymlink() {
    return type() == S_IFLNK;
  }

  public boolean isCharDevice() {
    return type() == S_IFCHR;
  }

  public boolean isBlockDevice() {
    return type() == S_IFBLK;
  }

  public boolean isFifo() {
    return type() == S_IFIFO;
  }

  public boolean isSocket() {
    return type() == S_IFSOCK;
  }
}
