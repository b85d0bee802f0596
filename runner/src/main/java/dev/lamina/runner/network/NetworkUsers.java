package dev.lamina.runner.network;

import java.io.IOException;
import java.util.Set;

/** Says which networks containers use, so that {@code network rm} and {@code prune} spare them. */
@FunctionalInterface
public interface NetworkUsers {
  /** No container uses any network. */
  NetworkUsers NONE = Set::of;

  /**
   * The names of the networks any container, running or not, is configured to join.
   *
   * @throws IOException if the container records cannot be read
   */
  Set<String> networksInUse() throws IOException;
}
