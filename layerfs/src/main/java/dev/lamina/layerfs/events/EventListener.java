package dev.lamina.layerfs.events;

/**
 * Where library code reports what it did to containers and images. It must not fail the work:
 * a listener that cannot record an event keeps that to itself.
 */
@FunctionalInterface
public interface EventListener {
  /** Takes no notice. */
  EventListener NONE = e -> {};

  void event(Event e);
}
