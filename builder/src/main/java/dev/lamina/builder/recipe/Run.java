package dev.lamina.builder.recipe;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.parse.SourceRange;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code RUN [--mount=...] [--network=default|none|host] [--security=sandbox|insecure] command}.
 *
 * @param command the command; its {@code $} are left to the shell
 * @param heredocs bodies of here-documents the command line opened
 * @param mounts the {@code --mount}s in order
 * @param network the network mode, or null for the default
 * @param security the security mode, or null for the default
 */
public record Run(
    CommandLine command,
    List<InlineFile> heredocs,
    List<Mount> mounts,
    String network,
    String security,
    SourceRange location)
    implements Instruction {
  public Run {
    heredocs = List.copyOf(heredocs);
    mounts = List.copyOf(mounts);
  }

  @Override
  public String name() {
    return "RUN";
  }

  /** Expands the mount options only (BuildKit expands them; the command is the shell's). */
  @Override
  public Run expand(Expander e) throws ExpansionException {
    List<Mount> expanded = new ArrayList<>();
    for (Mount m : mounts) {
      expanded.add(m.expand(e));
    }
    return new Run(command, heredocs, expanded, network, security, location);
  }
}
