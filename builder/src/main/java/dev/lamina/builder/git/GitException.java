package dev.lamina.builder.git;

import java.io.IOException;

/** A git source that cannot be used: refused, unreachable, or without the ref asked for. */
public class GitException extends IOException {
  public GitException(String message) {
    super(message);
  }
}
