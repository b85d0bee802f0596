package dev.lamina.runner.volume;

import java.io.IOException;
import java.util.Set;

/** Who uses which volumes: the containers, as a seam so volumes need not know them. */
@FunctionalInterface
public interface VolumeUsers {
  /**
   * The names of the volumes referenced by any container, running or not.
   *
   * @throws IOException if the container records cannot be read
   */
  Set<String> volumesInUse() throws IOException;
}
