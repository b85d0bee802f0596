package dev.lamina.runner;

import java.util.List;

/**
 * What {@code system check} found in the index of container names: how many names it checked,
 * and, per name, where the index disagrees with the records.
 */
public record ContainerNameCheck(int checked, List<Disagreement> problems) {
  /** A name whose entry in the index disagrees with the records, and how. */
  public record Disagreement(String name, String detail) {}

  public ContainerNameCheck {
    problems = List.copyOf(problems);
  }
}
