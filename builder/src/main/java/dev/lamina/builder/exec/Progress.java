package dev.lamina.builder.exec;

import dev.lamina.layerfs.oci.Json;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a build reports its steps: BuildKit's plain progress ({@code #3 [2/5] COPY src /app},
 * the step's output lines with their time, {@code #3 CACHED} or {@code #3 DONE 0.4s}), nothing
 * ({@code quiet}), or one JSON event per line ({@code json}). Safe to use from several stages
 * building at once: each event is printed whole.
 */
public interface Progress {

  /** Starts a step named {@code name} and returns its handle. */
  Step begin(String name);

  /** A build-wide message (warnings). */
  void message(String text);

  /** One step's events. */
  interface Step {
    /** A line of the step's output (RUN's stdout and stderr), printed whole. */
    void log(String line);

    /** Why the step hit or missed the cache ({@code --explain-cache}). */
    void explain(String text);

    /** The step was served from the cache. */
    void cached();

    /** The step finished. */
    void done();

    /** The step failed with {@code message}. */
    void failed(String message);
  }

  /** BuildKit's {@code --progress=plain} to {@code out}. */
  static Progress plain(PrintStream out) {
    return new Plain(out);
  }

  /** {@code --progress=quiet}: nothing. */
  static Progress quiet() {
    return new Progress() {
      @Override
      public Step begin(String name) {
        return new Step() {
          @Override
          public void log(String line) {}

          @Override
          public void explain(String text) {}

          @Override
          public void cached() {}

          @Override
          public void done() {}

          @Override
          public void failed(String message) {}
        };
      }

      @Override
      public void message(String text) {}
    };
  }

  /**
   * {@code --progress=json}: one object per line: {@code {"event":"step","id":3,"name":...}},
   * {@code {"event":"log","id":3,"time":0.21,"line":...}}, {@code {"event":"explain",...}},
   * {@code {"event":"cached"|"done","id":3,"seconds":0.4}}, {@code
   * {"event":"error","id":3,"message":...}} and {@code {"event":"message","text":...}}.
   */
  static Progress json(PrintStream out) {
    return new JsonEvents(out);
  }

  /** The plain printer. */
  final class Plain implements Progress {
    private final PrintStream out;
    private final AtomicInteger ids = new AtomicInteger();

    Plain(PrintStream out) {
      this.out = out;
    }

    @Override
    public Step begin(String name) {
      int id = ids.incrementAndGet();
      long start = System.nanoTime();
      print("#" + id + " " + name);
      return new Step() {
        @Override
        public void log(String line) {
          print("#" + id + " " + fixed(System.nanoTime() - start, 3) + " " + line);
        }

        @Override
        public void explain(String text) {
          print("#" + id + " " + text);
        }

        @Override
        public void cached() {
          print("#" + id + " CACHED\n");
        }

        @Override
        public void done() {
          print("#" + id + " DONE " + fixed(System.nanoTime() - start, 1) + "s\n");
        }

        @Override
        public void failed(String message) {
          print("#" + id + " ERROR: " + message + "\n");
        }
      };
    }

    @Override
    public void message(String text) {
      print(text);
    }

    private void print(String s) {
      synchronized (out) {
        out.println(s);
        out.flush();
      }
    }
  }

  /** The JSON-lines printer. */
  final class JsonEvents implements Progress {
    private final PrintStream out;
    private final AtomicInteger ids = new AtomicInteger();

    JsonEvents(PrintStream out) {
      this.out = out;
    }

    @Override
    public Step begin(String name) {
      int id = ids.incrementAndGet();
      long start = System.nanoTime();
      emit(event("step", id, "name", name));
      return new Step() {
        @Override
        public void log(String line) {
          Map<String, Object> e = event("log", id, "line", line);
          e.put("time", Math.round(seconds(start) * 1000) / 1000.0);
          emit(e);
        }

        @Override
        public void explain(String text) {
          emit(event("explain", id, "text", text));
        }

        @Override
        public void cached() {
          emit(event("cached", id, "seconds", Math.round(seconds(start) * 1000) / 1000.0));
        }

        @Override
        public void done() {
          emit(event("done", id, "seconds", Math.round(seconds(start) * 1000) / 1000.0));
        }

        @Override
        public void failed(String message) {
          emit(event("error", id, "message", message));
        }
      };
    }

    @Override
    public void message(String text) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("event", "message");
      e.put("text", text);
      emit(e);
    }

    private static Map<String, Object> event(String type, int id, String key, Object value) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("event", type);
      e.put("id", id);
      e.put(key, value);
      return e;
    }

    private void emit(Map<String, Object> e) {
      String line = new String(Json.toBytes(e), StandardCharsets.UTF_8);
      synchronized (out) {
        out.println(line);
        out.flush();
      }
    }
  }

  /**
   * {@code nanos} as seconds with {@code places} decimals, rounded half up, as {@code %.Nf} writes
   * them; without {@link String#format}, whose first use (the formatter, the locale's data) costs
   * a short build several milliseconds.
   */
  static String fixed(long nanos, int places) {
    long unit = 1;
    for (int i = places; i < 9; i++) {
      unit *= 10;
    }
    long units = (Math.max(0, nanos) + unit / 2) / unit;
    long scale = 1_000_000_000L / unit;
    String frac = Long.toString(units % scale);
    return units / scale + "." + "0".repeat(places - frac.length()) + frac;
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
