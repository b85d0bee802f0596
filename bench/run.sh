#!/usr/bin/env bash
# bench/run.sh [N]: `lamina run --rm IMAGE true` next to `podman run --rm` (same image, runc) and a
# raw `runc run` of a prepared bundle; N rounds (default 10), taking turns, medians and ratios.
# Both tools run with the same network mode, --network none and then --network host.
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$top/bench/common.sh"
n=${1:-10}
work=${LAMINA_BENCH_DIR:-/tmp/lamina-bench}
lamina="$top/bin/lamina"
mkdir -p "$work"

# A busybox image in a bench store, imported once.
if [ ! -f "$work/rootfs/bin/busybox" ]; then
  rm -rf "$work/rootfs"
  "$top/samples/busybox/make-rootfs" "$work/rootfs"
fi
store="$work/store"
"$lamina" --root "$store" inspect --type image bench/busybox >/dev/null 2>&1 ||
  "$lamina" --root "$store" import "$work/rootfs" bench/busybox >/dev/null
# Warm-up: layer extraction, and the class-data archive bin/lamina makes after a build.
"$lamina" --root "$store" run --rm bench/busybox true

# The same rootfs as a raw runc bundle.
bundle="$work/bundle"
if [ ! -f "$bundle/config.json" ]; then
  rm -rf "$bundle" && mkdir -p "$bundle"
  cp -a "$work/rootfs" "$bundle/rootfs"
  (cd "$bundle" && runc spec && sed -i 's/"sh"/"true"/; s/"terminal": true/"terminal": false/' config.json)
fi
raw_runc() { runc --root "$work/runc-state" run --bundle "$bundle" "bench-$$-$RANDOM" </dev/null; }

runc_times=()
for ((i = 0; i < n; i++)); do runc_times+=("$(bench_time raw_runc)"); done
t_runc=$(bench_median "${runc_times[@]}")
echo "runc run:         ${t_runc}s (median of $n)"
have_podman=
if command -v podman >/dev/null; then
  have_podman=1
  if ! podman image exists localhost/bench-busybox 2>/dev/null; then
    tar -C "$work/rootfs" -c . | podman import - localhost/bench-busybox >/dev/null
  fi
fi
# The same network mode on both sides: none (no network set up) and host (the host's namespace);
# the two tools take turns, and the medians are compared.
for mode in none host; do
  lamina_times=() podman_times=()
  for ((i = 0; i < n; i++)); do
    lamina_times+=("$(bench_time "$lamina" --root "$store" run --rm --network "$mode" bench/busybox true)")
    if [ -n "$have_podman" ]; then
      # runc: crun cannot run on hosts with the hybrid cgroup layout.
      podman_times+=("$(bench_time podman run --runtime runc --rm --network "$mode" \
        --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/bench-busybox true)")
    fi
  done
  t_lamina=$(bench_median "${lamina_times[@]}")
  echo "lamina run --rm --network $mode:  ${t_lamina}s (median of $n)"
  echo "lamina / runc:    $(bench_ratio "$t_lamina" "$t_runc")x"
  if [ -n "$have_podman" ]; then
    t_podman=$(bench_median "${podman_times[@]}")
    echo "podman run --rm --network $mode:  ${t_podman}s (median of $n)"
    echo "lamina / podman:  $(bench_ratio "$t_lamina" "$t_podman")x"
  fi
done
echo "load average:     $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
