package dev.lamina.cli;

/**
 * What the build writes for a quick start, as constants of this class: the commands' models
 * ({@link CommandModels}) and the top-level help ({@link QuickCommands}). The build replaces this
 * class in the classes directory by one that returns them ({@link CommandModelWriter}); as
 * compiled from this source it has none, and they are read from the resources the build also
 * writes.
 *
 * <p>Why: this class comes from the class-data archive, and its constants cost next to nothing to
 * read, where the same bytes as resources of the jar make the JVM open it and read its directory
 * of some 7,000 entries, a few milliseconds of a short command.
 */
final class BuiltData {
  private BuiltData() {}

  /**
   * The bytes of {@code commands.model}, as ISO-8859-1 text in parts (a class's string constant
   * holds at most 64 KiB); null when the build did not write them.
   */
  static String[] model() {
    return null;
  }

  /** The top-level help as stored ({@link QuickCommands#HELP_RESOURCE}); null when none. */
  static String help() {
    return null;
  }
}
