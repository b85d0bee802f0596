package dev.lamina.cli;

import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.Containers;
import dev.lamina.runner.runtime.AttachClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina attach CONTAINER}: this terminal on a running container's, as {@code docker
 * attach}: the container's output from now on, and for one with a terminal made with {@code -i}
 * this terminal's keys (in raw mode, so Ctrl-C reaches the container as a key), until the
 * container exits (its exit code is this command's) or the detach keys are typed (exit 1, the
 * container runs on). A container without a terminal has its output followed.
 */
@Command(name = "attach", description = "Attach this terminal to a running container started with -dt.")
final class AttachCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = "--detach-keys", paramLabel = "KEYS", defaultValue = DetachKeys.DEFAULT,
      description = "Keys that detach, leaving the container running (default: ${DEFAULT-VALUE}).")
  String detachKeys;

  @Option(names = "--no-stdin", description = "Do not send this terminal's input.")
  boolean noStdin;

  @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id.")
  String container;

  @Override
  public Integer call() throws Exception {
    DetachKeys keys = DetachKeys.parse(detachKeys);
    Containers containers = ContainerSupport.open(store.root());
    if (!containers.hasTerminal(container)) {
      return followOutput(containers, container);
    }
    if (!noStdin) {
      Terminals.requireTerminal();
    }
    return attach(containers, container, keys, !noStdin);
  }

  /**
   * A container without a terminal: what it writes from now on, until it exits (its exit code).
   * Its stdin is not open to clients; Ctrl-C ends only the attachment.
   */
  private static int followOutput(Containers containers, String ref)
      throws IOException {
    ContainerRecord r = containers.inspect(ref);
    if (r.state() != dev.lamina.runner.ContainerState.RUNNING) {
      throw new UserException("container " + r.name() + " is not running");
    }
    java.nio.file.Path log = containers.logFile(r.id());
    long now = java.nio.file.Files.exists(log) ? java.nio.file.Files.size(log) : 0;
    dev.lamina.runner.ContainerLogs.copy(containers, r.id(), System.out, true, now);
    System.out.flush();
    ContainerRecord done = containers.await(r.id(), Duration.ofSeconds(10));
    return done.exitCode() == null ? ExitCodes.OK : done.exitCode();
  }

  /**
   * Attaches this terminal to running container {@code ref}'s until it exits (its exit code) or
   * {@code keys} are typed ({@link ExitCodes#DETACHED}); this terminal's keys go to a container
   * opened with {@code -i} when {@code stdin}.
   */
  static int attach(Containers containers, String ref, DetachKeys keys, boolean stdin)
      throws IOException, InterruptedException {
    ContainerRecord record = containers.inspect(ref);
    int[] size = Terminals.size().orElse(new int[] {0, 0});
    boolean detached;
    try (AttachClient client = containers.attach(ref, size[0], size[1])) {
      detached = proxy(client, keys, stdin && record.openStdin());
    }
    if (detached) {
      return ExitCodes.DETACHED;
    }
    ContainerRecord done = containers.await(record.id(), Duration.ofSeconds(10));
    return done.exitCode() == null ? ExitCodes.OK : done.exitCode();
  }

  /**
   * This terminal on {@code client}'s container's terminal until the container's output ends
   * (false) or {@code keys} are typed (true, said on stderr). With {@code input}, this terminal
   * is in raw mode and its keys are passed on; its window size follows this terminal's. Null
   * {@code keys}: no detaching.
   */
  static boolean proxy(AttachClient client, DetachKeys keys, boolean input)
      throws IOException, InterruptedException {
    PrintStream out = System.out;
    AtomicBoolean detached = new AtomicBoolean();
    try (RawTerminal raw = input ? RawTerminal.enter() : null) {
      WindowChanges.onChange(() -> Terminals.size().ifPresent(now -> resize(client, now)));
      if (input) {
        Thread typing = new Thread(() -> type(client, keys, detached), "attach-stdin");
        typing.setDaemon(true);
        typing.start();
      }
      InputStream output = client.output();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = output.read(buf)) > 0; ) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException closedByDetach) {
        if (!detached.get()) {
          throw closedByDetach;
        }
      }
    }
    if (detached.get()) {
      System.err.println("read escape sequence");
    }
    return detached.get();
  }

  private static void resize(AttachClient client, int[] size) {
    try {
      client.resize(size[0], size[1]);
    } catch (IOException gone) {
      // The container ended; the output loop sees it too.
    }
  }

  /** Passes this terminal's keys on, until the detach keys (then closes the attachment). */
  private static void type(AttachClient client, DetachKeys keys, AtomicBoolean detached) {
    byte[] buf = new byte[1024];
    ByteArrayOutputStream pass = new ByteArrayOutputStream();
    try {
      for (int n; (n = System.in.read(buf)) > 0; ) {
        pass.reset();
        boolean done = false;
        if (keys == null) {
          pass.write(buf, 0, n);
        } else {
          done = keys.scan(buf, n, pass);
        }
        if (pass.size() > 0) {
          client.type(pass.toByteArray(), 0, pass.size());
        }
        if (done) {
          detached.set(true);
          client.close();
          return;
        }
      }
    } catch (IOException gone) {
      // The container ended, or stdin closed: the output loop decides.
    }
  }
}
