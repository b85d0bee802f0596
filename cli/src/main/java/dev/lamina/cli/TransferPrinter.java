package dev.lamina.cli;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.registry.TransferProgress;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Shows blob transfers on stderr: on a terminal, one bar per blob redrawn in place (bytes, rate,
 * and done/skipped/mounted at the end); otherwise one plain line per blob when it starts and ends.
 */
final class TransferPrinter implements TransferProgress, AutoCloseable {
  private static final int BAR = 24;
  private static final long REDRAW_NANOS = 200_000_000L;

  private final PrintStream err;
  private final boolean terminal;
  private final boolean quiet;
  private final Map<Digest, Line> lines = new LinkedHashMap<>();
  private int drawn;
  private long lastDraw;

  private static final class Line {
    final Descriptor blob;
    String action = "waiting";
    long bytes;
    long started = System.nanoTime();
    String outcome;

    Line(Descriptor blob) {
      this.blob = blob;
    }
  }

  TransferPrinter(boolean quiet) {
    this.err = System.err;
    this.terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
    this.quiet = quiet;
  }

  @Override
  public synchronized void started(Descriptor blob, String action) {
    Line l = lines.computeIfAbsent(blob.digest(), d -> new Line(blob));
    l.action = action;
    l.bytes = 0;
    l.started = System.nanoTime();
    if (!terminal) {
      plain("Copying blob " + blob.digest().shortHex() + " (" + action + ", "
          + Humanize.size(blob.size()) + ")");
    }
    redraw(true);
  }

  @Override
  public synchronized void advanced(Descriptor blob, long bytes) {
    Line l = lines.computeIfAbsent(blob.digest(), d -> new Line(blob));
    l.bytes = bytes;
    redraw(false);
  }

  @Override
  public synchronized void finished(Descriptor blob, Outcome outcome) {
    Line l = lines.computeIfAbsent(blob.digest(), d -> new Line(blob));
    l.outcome = switch (outcome) {
      case PUSHED, PULLED -> "done";
      case SKIPPED -> "skipped: already exists";
      case MOUNTED -> "mounted";
    };
    l.bytes = blob.size();
    if (!terminal) {
      plain("Copying blob " + blob.digest().shortHex() + " " + l.outcome);
    }
    redraw(true);
  }

  @Override
  public synchronized void message(String line) {
    redraw(true);
    plain(line);
    drawn = 0; // the message scrolled the bars away: draw them anew below it
  }

  private void plain(String line) {
    if (!quiet) {
      err.println(line);
      err.flush();
    }
  }

  private void redraw(boolean force) {
    if (!terminal || quiet) {
      return;
    }
    long now = System.nanoTime();
    if (!force && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    StringBuilder sb = new StringBuilder();
    if (drawn > 0) {
      sb.append("\033[").append(drawn).append('F');
    }
    for (Line l : lines.values()) {
      sb.append("\033[2K").append(render(l, now)).append('\n');
    }
    drawn = lines.size();
    err.print(sb);
    err.flush();
  }

  private static String render(Line l, long now) {
    long size = Math.max(1, l.blob.size());
    double frac = Math.min(1.0, (double) l.bytes / size);
    int full = (int) Math.round(frac * BAR);
    String bar = "=".repeat(full) + (full < BAR ? ">" + " ".repeat(BAR - full - 1) : "");
    String head = "Copying blob " + l.blob.digest().shortHex() + " ";
    if (l.outcome != null) {
      return head + l.outcome;
    }
    double secs = Math.max(1e-3, (now - l.started) / 1e9);
    return head + l.action + " [" + bar + "] " + Humanize.size(l.bytes) + " / "
        + Humanize.size(l.blob.size()) + " "
        + String.format(Locale.ROOT, "%s/s", Humanize.size((long) (l.bytes / secs)));
  }

  @Override
  public synchronized void close() {
    redraw(true);
  }
}
