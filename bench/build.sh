#!/usr/bin/env bash
# bench/build.sh [FILES] [MB]: builds the same COPY-heavy recipe (default 5,000 files, 200 MB)
# with Lamina and with `buildah bud`, cold (from an emptied store and cache, the emptying not
# timed) and cached (unchanged context), best of 5 each, and prints the times and ratios. Needs
# root, buildah and a built CLI (bin/lamina builds it).
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$top/bench/common.sh"
files=${1:-5000}
mb=${2:-200}
work=${BENCH_DIR:-/var/tmp/lamina-bench}
ctx="$work/context-$files-$mb"
mkdir -p "$work"
bench_tree "$ctx/tree" "$files" "$mb"
cat >"$ctx/Containerfile" <<'R'
FROM scratch
COPY tree /data
LABEL bench=copy
R
lamina="$top/bin/lamina"
"$lamina" version >/dev/null # builds the jar and its class-data archive once

lroot="$work/lamina-root"
lamina_clean() { rm -rf "$lroot"; }
lamina_build() { "$lamina" --root "$lroot" build -q -t bench "$ctx" >/dev/null; }
broot="$work/buildah-root"
brun="$work/buildah-runroot"
buildah_cmd() { buildah --root "$broot" --runroot "$brun" --storage-driver overlay "$@"; }
buildah_clean() { buildah_cmd rmi -a -f >/dev/null 2>&1 || true; }
buildah_build() { buildah_cmd bud --layers -q -t bench -f "$ctx/Containerfile" "$ctx" >/dev/null; }

# best_cold N CLEAN BUILD: the best of N builds, each after CLEAN (not timed: a cold build starts
# from an empty store and cache, and removing the last one's is no part of it).
best_cold() {
  local n=$1 clean=$2 build=$3 best= t i
  for ((i = 0; i < n; i++)); do
    "$clean"
    sync
    t=$(bench_time "$build")
    if [ -z "$best" ] || (($(echo "$t < $best" | bc -l))); then best=$t; fi
  done
  echo "$best"
}

echo "COPY of $files files, $mb MB (best of 5)"
lc=$(best_cold 5 lamina_clean lamina_build)
lh=$(bench_best 5 lamina_build)
bc=$(best_cold 5 buildah_clean buildah_build)
bh=$(bench_best 5 buildah_build)
jvm=$(bench_best 3 "$lamina" version)
printf '%-22s %8s %8s\n' "" lamina buildah
printf '%-22s %8s %8s\n' "cold build (s)" "$lc" "$bc"
printf '%-22s %8s %8s\n' "cached rebuild (s)" "$lh" "$bh"
printf '%-22s %8s\n' "JVM start (s)" "$jvm"
echo "cold: buildah/lamina = $(bench_ratio "$bc" "$lc")x (target >= 5x)"
echo "cached: buildah/lamina = $(bench_ratio "$bh" "$lh")x; lamina beyond JVM start:" \
  "$(echo "$lh - $jvm" | bc -l | xargs printf '%.3f')s (target < 1s)"
