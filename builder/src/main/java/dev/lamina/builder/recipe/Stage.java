package dev.lamina.builder.recipe;

import java.util.List;

/**
 * One build stage: a FROM and the instructions up to the next FROM.
 *
 * @param name the stage name in lower case, or null
 * @param index the stage's position, from 0
 * @param from the FROM that starts it
 * @param instructions the instructions after the FROM
 */
public record Stage(String name, int index, From from, List<Instruction> instructions) {
  public Stage {
    instructions = List.copyOf(instructions);
  }

  /** The base image or earlier stage, as written (it may contain global ARGs). */
  public String base() {
    return from.image();
  }
}
