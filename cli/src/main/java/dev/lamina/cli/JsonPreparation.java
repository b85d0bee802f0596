package dev.lamina.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.spec.RuntimeSpec;
import java.util.List;
import java.util.Map;

/**
 * Builds Jackson's mapper and the (de)serializers a command will need on a second thread, while
 * the first one builds the command's model and parses its arguments. Jackson introspects each
 * record type once per process, by reflection: for {@code run} that is about a third of what the
 * process does besides waiting for the runtime. The results land in the mapper's own caches, so
 * the command then does exactly what it did, sooner.
 *
 * <p>The command waits for the preparation to finish before it starts ({@link #await}): Jackson
 * is then never used by two threads at once while its classes initialise.
 */
final class JsonPreparation {
  /** What a command reads and writes as JSON; commands not listed get nothing prepared. */
  private record Types(List<Class<?>> read, List<Class<?>> written) {}

  private static final Map<Class<?>, Types> BY_COMMAND =
      Map.of(
          RunCommand.class,
          new Types(
              List.of(
                  JsonNode.class,
                  Index.class,
                  Manifest.class,
                  ImageConfig.class,
                  ContainerRecord.class),
              List.of(ContainerRecord.class, RuntimeSpec.class)));

  private final Thread thread;

  private JsonPreparation(Thread thread) {
    this.thread = thread;
  }

  /** Starts preparing for {@code command}; a no-op for a command with nothing listed. */
  static JsonPreparation start(Class<?> command) {
    Types types = command == null ? null : BY_COMMAND.get(command);
    if (types == null) {
      return new JsonPreparation(null);
    }
    Thread t = new Thread(() -> prepare(types), "lamina-json-preparation");
    t.setDaemon(true);
    t.start();
    return new JsonPreparation(t);
  }

  private static void prepare(Types types) {
    try {
      ObjectMapper mapper = Json.mapper();
      // Readers and writers fetch their root (de)serializer eagerly, into the mapper's caches.
      types.read().forEach(mapper::readerFor);
      types.written().forEach(mapper::writerFor);
    } catch (RuntimeException | LinkageError e) {
      // The command meets the same problem itself, and reports it.
    }
  }

  /** Waits until the preparation is over (at once when there was none). */
  void await() {
    if (thread == null) {
      return;
    }
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
