package dev.lamina.cli;

import dev.lamina.layerfs.store.Images.HistoryEntry;
import dev.lamina.layerfs.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina history IMAGE}: the steps that made an image, newest first. */
@Command(name = "history", description = "Show the history of an image.")
final class HistoryCommand implements Callable<Integer> {
  @Mixin StoreOptions store;
  @Mixin FormatOption format;

  @Option(names = "--no-trunc", description = "Do not truncate the CREATED BY column.")
  boolean noTrunc;

  @Option(
      names = {"-q", "--quiet"},
      description = "Only show layer digests.")
  boolean quiet;

  @Parameters(paramLabel = "IMAGE", description = "Image name or id.")
  String image;

  @Override
  public Integer call() throws Exception {
    Store s = store.open();
    List<HistoryEntry> history = s.images().history(image);
    if (!format.json() && !format.defaultTable()) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (HistoryEntry h : history) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", h.layer() == null ? "<missing>"
            : noTrunc ? h.layer().digest().toString() : h.layer().digest().shortHex());
        m.put("CreatedSince", Humanize.ago(h.created()));
        m.put("CreatedAt", h.created() == null ? "" : h.created());
        m.put("CreatedBy", h.createdBy() == null ? "" : h.createdBy());
        m.put("Size", Humanize.size(h.size()));
        m.put("Comment", h.comment() == null ? "" : h.comment());
        rows.add(m);
      }
      format.printed(rows, Map.of("ID", "IMAGE", "CreatedSince", "CREATED"));
      return ExitCodes.OK;
    }
    if (format.json()) {
      List<Map<String, Object>> out = new ArrayList<>();
      for (HistoryEntry h : history) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Layer", h.layer() == null ? null : h.layer().digest().toString());
        m.put("Created", h.created());
        m.put("CreatedBy", h.createdBy());
        m.put("Size", h.size());
        m.put("Comment", h.comment());
        m.put("EmptyLayer", h.emptyLayer());
        out.add(m);
      }
      Output.json(out);
      return ExitCodes.OK;
    }
    List<List<String>> rows = new ArrayList<>();
    for (HistoryEntry h : history) {
      String layer =
          h.layer() == null
              ? "<missing>"
              : noTrunc ? h.layer().digest().toString() : h.layer().digest().shortHex();
      if (quiet) {
        Output.out().println(layer);
        continue;
      }
      String by = h.createdBy() == null ? "" : h.createdBy();
      if (!noTrunc && by.length() > 45) {
        by = by.substring(0, 44) + "…";
      }
      rows.add(
          List.of(
              layer,
              Humanize.ago(h.created()),
              by,
              Humanize.size(h.size()),
              h.comment() == null ? "" : h.comment()));
    }
    if (!quiet) {
      Output.table(List.of("LAYER", "CREATED", "CREATED BY", "SIZE", "COMMENT"), rows);
    }
    return ExitCodes.OK;
  }
}
