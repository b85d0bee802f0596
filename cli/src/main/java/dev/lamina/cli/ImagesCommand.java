package dev.lamina.cli;

import dev.lamina.layerfs.store.Images.ImageSummary;
import dev.lamina.layerfs.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina images}: the named images of the store, like {@code docker images}. */
@Command(name = "images", description = "List images in the store.")
class ImagesCommand implements Callable<Integer> {
  @Mixin StoreOptions store;
  @Mixin FormatOption format;

  @Option(
      names = {"-q", "--quiet"},
      description = "Only show image ids.")
  boolean quiet;

  @Option(names = "--digests", description = "Show manifest digests.")
  boolean digests;

  @Option(names = "--no-trunc", description = "Do not truncate ids.")
  boolean noTrunc;

  @Option(
      names = {"-f", "--filter"},
      paramLabel = "KEY=VALUE",
      description = "Only images that match: dangling, reference, label, before, since"
          + " (repeatable).")
  List<String> filters = List.of();

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "REPOSITORY[:TAG]",
      description = "Only images of this name (a short name matches it under any registry).")
  String reference;

  @Override
  public Integer call() throws Exception {
    ImageFilter filter = ImageFilter.parse(filters, reference);
    Store s = store.open();
    List<ImageSummary> images = filter.apply(s.images().list(), s);
    if (!format.json() && !format.defaultTable()) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (ImageSummary i : images) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Repository", i.repository());
        m.put("Tag", i.tag());
        m.put("ID", id(i));
        m.put("Digest", i.digest().toString());
        m.put("CreatedAt", i.created());
        m.put("CreatedSince", Humanize.ago(i.created()));
        m.put("Size", Humanize.size(i.size()));
        rows.add(m);
      }
      format.printed(rows, Map.of("ID", "IMAGE ID", "CreatedSince", "CREATED"));
      return ExitCodes.OK;
    }
    if (format.json()) {
      List<Map<String, Object>> out = new ArrayList<>();
      for (ImageSummary i : images) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Repository", i.repository());
        m.put("Tag", i.tag());
        m.put("Id", i.id().toString());
        m.put("Digest", i.digest().toString());
        m.put("Created", i.created());
        m.put("Size", i.size());
        out.add(m);
      }
      Output.json(out);
      return ExitCodes.OK;
    }
    if (quiet) {
      Set<String> ids = new LinkedHashSet<>();
      images.forEach(i -> ids.add(id(i)));
      ids.forEach(Output.out()::println);
      return ExitCodes.OK;
    }
    List<String> header = new ArrayList<>(List.of("REPOSITORY", "TAG"));
    if (digests) {
      header.add("DIGEST");
    }
    header.addAll(List.of("IMAGE ID", "CREATED", "SIZE"));
    List<List<String>> rows = new ArrayList<>();
    for (ImageSummary i : images) {
      List<String> row = new ArrayList<>(List.of(i.repository(), i.tag()));
      if (digests) {
        row.add(i.digest().toString());
      }
      row.addAll(List.of(id(i), Humanize.ago(i.created()), Humanize.size(i.size())));
      rows.add(row);
    }
    Output.table(header, rows);
    return ExitCodes.OK;
  }

  private String id(ImageSummary i) {
    return noTrunc ? i.id().toString() : i.id().shortHex();
  }

  /** {@code lamina image ls}. */
  @Command(name = "ls", aliases = "list", description = "List images in the store.")
  static final class Ls extends ImagesCommand {}
}
