package dev.lamina.runner;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One action on many containers at once ({@code stop}, {@code kill}, {@code rm -f}), as docker
 * and podman do them: a thread each, so that stopping many containers whose processes ignore the
 * stop signal takes one timeout, not one per container.
 */
final class ContainerBatch {
  private ContainerBatch() {}

  /** The action on one container. */
  @FunctionalInterface
  interface Action {
    void apply(String ref) throws IOException;
  }

  /** Applies {@code action} to every ref in parallel; the outcomes come in the refs' order. */
  static List<Containers.Outcome> apply(List<String> refs, Action action) {
    if (refs.size() == 1) {
      return List.of(outcome(refs.get(0), action));
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, refs.size()),
            r -> {
              Thread t = new Thread(r, "lamina-batch");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<Containers.Outcome>> futures = new ArrayList<>();
      for (String ref : refs) {
        futures.add(pool.submit(() -> outcome(ref, action)));
      }
      List<Containers.Outcome> out = new ArrayList<>();
      for (int i = 0; i < refs.size(); i++) {
        try {
          out.add(futures.get(i).get());
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          out.add(new Containers.Outcome(refs.get(i),
              c instanceof IOException io ? io : new IOException(c.getMessage(), c)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          out.add(new Containers.Outcome(refs.get(i), new IOException("interrupted")));
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Containers.Outcome outcome(String ref, Action action) {
    try {
      action.apply(ref);
      return new Containers.Outcome(ref, null);
    } catch (IOException e) {
      return new Containers.Outcome(ref, e);
    } catch (IllegalArgumentException e) {
      return new Containers.Outcome(ref, new IOException(e.getMessage(), e));
    }
  }
}
