package dev.lamina.builder.context;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@code lstat} says about a file, as much as the context scan and the digest memo need: the
 * type and full mode, the link count, the size, the times and the inode. Read with one call that
 * names its attributes (the JDK's {@code unix:*} would also look up owner names, which a context
 * never keeps).
 *
 * @param mode the full {@code st_mode}: type bits and setuid/setgid/sticky and permissions
 * @param nlink the number of hard links
 * @param size the size in bytes
 * @param mtimeNanos the modification time, nanoseconds since the epoch
 * @param ctimeNanos the status change time, nanoseconds since the epoch
 * @param dev the device
 * @param inode the inode number
 * @param rdev the device number of a device file
 */
public record FileStamp(
    int mode,
    int nlink,
    long size,
    long mtimeNanos,
    long ctimeNanos,
    long dev,
    long inode,
    long rdev) {
  private static final String ATTRIBUTES = "unix:mode,nlink,size,lastModifiedTime,ctime,dev,ino,rdev";

  static final int S_IFMT = 0170000;
  static final int S_IFSOCK = 0140000;
  static final int S_IFLNK = 0120000;
  static final int S_IFREG = 0100000;
  static final int S_IFBLK = 0060000;
  static final int S_IFDIR = 0040000;
  static final int S_IFCHR = 0020000;
  static final int S_IFIFO = 0010000;

  /**
   * The stamp of {@code path}, not following a final symlink.
   *
   * @throws java.nio.file.NoSuchFileException if it does not exist
   * @throws IOException if it cannot be stat'ed
   */
  public static FileStamp of(Path path) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    return new FileStamp(
        (Integer) a.get("mode"),
        (Integer) a.get("nlink"),
        (Long) a.get("size"),
        nanos((FileTime) a.get("lastModifiedTime")),
        nanos((FileTime) a.get("ctime")),
        (Long) a.get("dev"),
        (Long) a.get("ino"),
        (Long) a.get("rdev"));
  }

  /** The stamp of what {@code lstat} said about a file. */
  public static FileStamp of(FileStat st) {
    return new FileStamp(st.mode(), st.nlink(), st.size(),
        st.mtimeSeconds() * 1_000_000_000L + st.mtimeNanos(),
        st.ctimeSeconds() * 1_000_000_000L + st.ctimeNanos(),
        st.dev(), st.ino(), Posix.makedev(st.rdevMajor(), st.rdevMinor()));
  }

  /** The modification time. */
  public java.time.Instant mtime() {
    return java.time.Instant.ofEpochSecond(0, mtimeNanos);
  }

  /** The permission bits with setuid, setgid and sticky. */
  public int permissions() {
    return mode & 07777;
  }

  public boolean isDirectory() {
    return (mode & S_IFMT) == S_IFDIR;
  }

  public boolean isRegularFile() {
    return (mode & S_IFMT) == S_IFREG;
  }

  public boolean isSymlink() {
    return (mode & S_IFMT) == S_IFLNK;
  }

  int type() {
    return mode & S_IFMT;
  }

  int rdevMajor() {
    return Posix.major(rdev);
  }

  int rdevMinor() {
    return Posix.minor(rdev);
  }

  private static long nanos(FileTime t) {
    return t.to(TimeUnit.NANOSECONDS);
  }
}
