package dev.lamina.cli;

import picocli.CommandLine.Command;

/**
 * {@code lamina create [OPTIONS] IMAGE [COMMAND [ARG...]]}: a container made as {@code run} makes
 * one, with the same options, but not started; {@code start} starts it. Prints its id.
 */
@Command(
    name = "create",
    description = "Create a new container without starting it (run's options).",
    modelTransformer = RunCommand.StopAtImage.class)
final class CreateCommand extends RunCommand {
  @Override
  boolean createOnly() {
    return true;
  }
}
