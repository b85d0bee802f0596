package dev.lamina.runner;

/** A container's life: created, running, exited (then removed, which deletes its record). */
public enum ContainerState {
  CREATED,
  RUNNING,
  EXITED
}
