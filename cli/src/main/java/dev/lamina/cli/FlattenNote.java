package dev.lamina.cli;

import dev.lamina.runner.RootfsAssembly;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Says once per command, on stderr, that root filesystems are not kernel overlays here (a
 * flattened copy, or fuse-overlayfs), and why.
 */
final class FlattenNote implements RootfsAssembly.Listener {
  private final PrintStream err;
  private final AtomicBoolean said = new AtomicBoolean();

  FlattenNote(PrintStream err) {
    this.err = err;
  }

  @Override
  public void flattened(RootfsAssembly.Flattened event) {
    if (!said.compareAndSet(false, true)) {
      return;
    }
    if (event instanceof RootfsAssembly.Flattened.FuseOverlay fuse) {
      err.println("lamina: kernel overlayfs cannot be used here (" + fuse.reason()
          + "); using fuse-overlayfs");
    } else if (event instanceof RootfsAssembly.Flattened.OverlayRefused refused) {
      err.println("lamina: overlayfs cannot be used here (" + refused.reason()
          + "); using a flattened copy of the layers");
    } else {
      err.println("lamina: layers cannot be extracted for overlayfs here; using a flattened copy"
          + " of the image's layers");
    }
  }
}
