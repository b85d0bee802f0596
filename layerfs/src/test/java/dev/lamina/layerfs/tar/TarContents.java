package dev.lamina.layerfs.tar;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** A tar read back with commons-compress: every entry with its content. */
record TarContents(List<TarArchiveEntry> entries, List<byte[]> contents) {

  static TarContents read(byte[] tar) throws IOException {
    List<TarArchiveEntry> entries = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        entries.add(e);
        contents.add(in.readAllBytes());
      }
    }
    return new TarContents(entries, contents);
  }

  List<String> names() {
    return entries.stream().map(TarArchiveEntry::getName).toList();
  }

  TarArchiveEntry entry(String name) {
    return entries.stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no entry " + name + " in " + names()));
  }

  byte[] content(String name) {
    return contents.get(entries.indexOf(entry(name)));
  }
}
