package dev.lamina.layerfs.tar;

/** The kinds of entry a layer tar holds, with their ustar type flags. */
public enum EntryType {
  REGULAR('0'),
  HARDLINK('1'),
  SYMLINK('2'),
  CHAR_DEVICE('3'),
  BLOCK_DEVICE('4'),
  DIRECTORY('5'),
  FIFO('6');

  private final char typeFlag;

  EntryType(char typeFlag) {
    this.typeFlag = typeFlag;
  }

  /** The ustar {@code typeflag} byte. */
  public char typeFlag() {
    return typeFlag;
  }

  /** Whether the entry carries a link target (symlinks and hardlinks). */
  public boolean isLink() {
    return this == SYMLINK || this == HARDLINK;
  }

  /** Whether the entry carries device numbers. */
  public boolean isDevice() {
    return this == CHAR_DEVICE || this == BLOCK_DEVICE;
  }
}
