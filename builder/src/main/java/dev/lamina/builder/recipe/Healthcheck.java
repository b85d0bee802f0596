package dev.lamina.builder.recipe;

import dev.lamina.builder.parse.SourceRange;
import java.time.Duration;

/**
 * {@code HEALTHCHECK NONE} or {@code HEALTHCHECK [--interval=d] [--timeout=d] [--start-period=d]
 * [--start-interval=d] [--retries=n] CMD command}. A zero duration or retry count means "inherit
 * the default".
 *
 * @param command the check command, or null for {@code NONE}
 */
public record Healthcheck(
    CommandLine command,
    Duration interval,
    Duration timeout,
    Duration startPeriod,
    Duration startInterval,
    int retries,
    SourceRange location)
    implements Instruction {
  @Override
  public String name() {
    return "HEALTHCHECK";
  }

  /** Whether this is {@code HEALTHCHECK NONE} (disables an inherited check). */
  public boolean isNone() {
    return command == null;
  }
}
