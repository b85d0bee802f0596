package dev.lamina.runner.runtime;

/** The container monitor (conmon) is not installed; the message names the package. */
public final class MonitorNotFoundException extends OciRuntimeException {
  public MonitorNotFoundException(String message) {
    super(message);
  }
}
