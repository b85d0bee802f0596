package dev.lamina.runner;

import dev.lamina.layerfs.io.RandomIds;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/** Container names: validated when given, {@code adjective_noun} when generated. */
public final class ContainerNames {
  /** Docker's container name grammar. */
  public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");

  private static final List<String> ADJECTIVES =
      List.of(
          "agile", "amber", "bold", "brave", "bright", "calm", "clever", "crisp", "eager",
          "fierce", "gentle", "glad", "happy", "jolly", "keen", "kind", "lucid", "lively",
          "merry", "modest", "nimble", "noble", "patient", "polite", "proud", "quick", "quiet",
          "sharp", "shy", "steady", "sunny", "swift", "tender", "tidy", "vivid", "wise", "witty",
          "zealous");
  private static final List<String> NOUNS =
      List.of(
          "acorn", "badger", "beacon", "birch", "canyon", "cedar", "comet", "coral", "delta",
          "ember", "falcon", "fern", "fjord", "garnet", "glacier", "harbor", "heron", "island",
          "juniper", "kestrel", "lagoon", "lantern", "maple", "meadow", "nebula", "otter",
          "pebble", "prairie", "quartz", "raven", "reef", "sparrow", "summit", "tundra", "walrus",
          "willow", "yarrow", "zephyr");

  private ContainerNames() {}

  /**
   * Checks a user-given name.
   *
   * @throws ContainerException when it does not match {@code [a-zA-Z0-9][a-zA-Z0-9_.-]+}
   */
  public static String validate(String name) throws ContainerException {
    if (name.length() > 253 || !NAME.matcher(name).matches()) {
      throw new ContainerException(
          "invalid container name '" + name + "': only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    }
    return name;
  }

  /** Whether a name is taken. */
  @FunctionalInterface
  public interface Taken {
    boolean test(String name) throws IOException;
  }

  /**
   * A fresh {@code adjective_noun} name that is not {@code taken} (a number is added if needed).
   *
   * @throws IOException if {@code taken} cannot tell
   */
  public static String generate(Taken taken) throws IOException {
    for (int i = 0; ; i++) {
      String n =
          ADJECTIVES.get(RandomIds.below(ADJECTIVES.size()))
              + "_"
              + NOUNS.get(RandomIds.below(NOUNS.size()));
      if (i >= 10) {
        n = n + RandomIds.below(100);
      }
      if (!taken.test(n)) {
        return n;
      }
    }
  }
}
