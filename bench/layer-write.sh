#!/usr/bin/env bash
# Writes a 5,000-file, 200 MB directory as an uncompressed layer into a Lamina store
# (`lamina import DIR`, a fresh JVM each time, so start-up is counted), side by side with the
# raw floor `tar -cf - DIR | sha256sum` on the same data, and prints the ratio. Memory: the import
# also runs with a 32 MiB heap, which only works if nothing buffers whole files or layers.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/common.sh"
runs=${RUNS:-3}
work=${BENCH_DIR:-/var/tmp/lamina-bench}
data="$work/tree-5000x200M"
store="$work/store-layer-write"
lamina="$top/bin/lamina"

(cd "$top" && ./mvnw -q -B -DskipTests package)
echo "preparing $data (5,000 files, ~200 MB)..." >&2
bench_tree "$data" 5000 200
sync

import() {
  rm -rf "$store"
  "$lamina" --root "$store" import "$data" bench/layer:latest >/dev/null
}
floor() { tar -cf - -C "$data" . | sha256sum >/dev/null; }

import # warm the page cache and the class-data archive
t_floor=$(bench_best "$runs" floor)
t_lamina=$(bench_best "$runs" import)
JAVA_TOOL_OPTIONS="-Xmx32m" import 2>/dev/null && small_heap="ok with -Xmx32m" || small_heap="FAILED with -Xmx32m"
size=$(du -sb "$data" | cut -f1)

printf '\nlayer write: %s files, %s MB, best of %s\n' 5000 $((size / 1000000)) "$runs"
printf '  %-40s %8ss\n' "tar -cf - DIR | sha256sum" "$t_floor"
printf '  %-40s %8ss\n' "lamina import DIR (uncompressed layer)" "$t_lamina"
printf '  ratio lamina/floor: %s   (target <= 2.00)\n' "$(bench_ratio "$t_lamina" "$t_floor")"
printf '  memory: %s\n' "$small_heap"
