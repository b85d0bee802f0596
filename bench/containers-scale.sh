#!/usr/bin/env bash
# bench/containers-scale.sh [LAMINA...]: how the cost of starting a container grows with the number
# of containers in the store. For each launcher given (default: this checkout's bin/lamina; give
# two, say a build before and after a change, to compare them), times
#   `lamina --root STORE run --rm --network none bench/busybox true`
# in a store with no other container and in one with N created containers (default 200; made
# once with the first launcher, then copied for the others), RUNS times each (default 5), taking
# turns, and prints the medians of elapsed, user and system seconds (/usr/bin/time) and of user +
# system, the CPU the command cost. Stores live under CONTAINERS_SCALE_DIR (default
# /tmp/lamina-containers-scale; removed at the end unless KEEP=1). Needs root and runc.
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$top/bench/common.sh"
n=${N:-200}
runs=${RUNS:-5}
work=${CONTAINERS_SCALE_DIR:-/tmp/lamina-containers-scale}
if [ $# -eq 0 ]; then set -- "$top/bin/lamina"; fi
launchers=("$@")
mkdir -p "$work"
bench_busybox_rootfs "$work/rootfs"

# The stores: one empty, one with N created containers, per launcher.
first=${launchers[0]}
for ((l = 0; l < ${#launchers[@]}; l++)); do
  "${launchers[l]}" version >/dev/null # its class-data archives, once
  for size in 0 "$n"; do
    store="$work/store-$l-$size"
    [ -f "$store/.complete" ] && continue
    rm -rf "$store"
    if ((l > 0)) && [ "$size" != 0 ]; then
      # The same containers, copied: records as the first launcher wrote them.
      cp -a "$work/store-0-$size" "$store"
      continue
    fi
    bench_busybox_image "${launchers[l]}" "$store" "$work/rootfs"
    for ((i = 0; i < size; i++)); do
      "${launchers[l]}" --root "$store" create --network none bench/busybox true >/dev/null
    done
    touch "$store/.complete"
  done
done

# One run each first, untimed: a store's first run makes its run-time directories.
for ((l = 0; l < ${#launchers[@]}; l++)); do
  for size in 0 "$n"; do
    "${launchers[l]}" --root "$work/store-$l-$size" run --rm --network none bench/busybox true
  done
done
declare -A times
for ((r = 0; r < runs; r++)); do
  for ((l = 0; l < ${#launchers[@]}; l++)); do
    for size in 0 "$n"; do
      out=$(mktemp)
      /usr/bin/time -f '%e %U %S' -o "$out" \
        "${launchers[l]}" --root "$work/store-$l-$size" run --rm --network none bench/busybox true
      times[$l-$size]+="$(cat "$out")"$'\n'
      rm -f "$out"
    done
  done
done

median_of() { # median_of KEY COLUMN(1 elapsed, 2 user, 3 sys, 4 user+sys)
  local vals
  vals=$(printf '%s' "${times[$1]}" | awk -v c="$2" 'NF { print (c == 4 ? $2 + $3 : $c) }')
  # shellcheck disable=SC2086
  bench_median $vals
}
printf '%-40s %10s %8s %8s %8s %8s\n' launcher containers elapsed user sys cpu
for ((l = 0; l < ${#launchers[@]}; l++)); do
  for size in 0 "$n"; do
    printf '%-40s %10s %8s %8s %8s %8s\n' "${launchers[l]}" "$size" \
      "$(median_of "$l-$size" 1)" "$(median_of "$l-$size" 2)" "$(median_of "$l-$size" 3)" \
      "$(median_of "$l-$size" 4)"
  done
done
if [ "${KEEP:-0}" != 1 ]; then
  # Created containers have nothing mounted, and --rm ones are gone: the stores are plain files.
  rm -rf "$work"/store-*
fi
