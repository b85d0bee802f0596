package dev.lamina.layerfs.store;

import java.io.IOException;
import java.util.List;

/**
 * Lets the owner of another part of the store (extracted layers) take part in {@code system
 * check}. In a repair it runs after the blobs and names are repaired, while the GC lock is held
 * exclusively, so no image is being written meanwhile.
 */
public interface CheckedPart {
  /** What the part holds, in the plural, for the summary ("extracted layers"). */
  String noun();

  /**
   * Checks the part; with {@code repair}, also removes what is broken and can be made again.
   *
   * @return how many items were checked and the problems found (and, in a repair, dealt with)
   * @throws IOException if the part cannot be read or changed
   */
  Findings check(boolean repair) throws IOException;

  /** How a part is checked (and, with {@code repair}, repaired). */
  @FunctionalInterface
  interface Check {
    Findings check(boolean repair) throws IOException;
  }

  /** The part called {@code noun} that {@code check} checks. */
  static CheckedPart of(String noun, Check check) {
    return new CheckedPart() {
      @Override
      public String noun() {
        return noun;
      }

      @Override
      public Findings check(boolean repair) throws IOException {
        return check.check(repair);
      }
    };
  }

  /** What one part's check found. */
  record Findings(int checked, List<StoreCheck.Problem> problems) {
    public Findings {
      problems = List.copyOf(problems);
    }
  }
}
