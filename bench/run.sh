#!/usr/bin/env bash
# bench/run.sh [N]: `lamina run --rm IMAGE true` next to `podman run --rm` (same image, runc) and a
# raw `runc run` of a prepared bundle; N rounds (default 10), taking turns, medians and ratios.
# Both tools run with the same network mode: each one's default bridge network (Lamina's `lamina`,
# podman's `podman`, both set up by netavark), then --network none. Lamina's default network is
# isolated from other networks (netavark's isolate option, as docker's default bridge is), which
# costs netavark four more firewall rules to add and delete per run; podman's is not. So podman
# also runs on a network of its own with that option ("isolated"): the same firewall work.
# Storage: both on overlayfs (Lamina's own layers as overlay lowers; podman's overlay driver, as
# printed below), the image imported into each from the same local root filesystem (no pulls).
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$top/bench/common.sh"
n=${1:-10}
work=${LAMINA_BENCH_DIR:-/tmp/lamina-bench}
lamina="$top/bin/lamina"
mkdir -p "$work"

# A busybox image in a bench store, imported once.
bench_busybox_rootfs "$work/rootfs"
store="$work/store"
bench_busybox_image "$lamina" "$store" "$work/rootfs"
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
if [ -n "$have_podman" ]; then
  echo "podman storage:   $(podman info --format '{{.Store.GraphDriverName}}' 2>/dev/null || echo unknown); lamina storage: overlay"
  # Warm-up: podman's default network and its first run.
  podman run --runtime runc --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
    localhost/bench-busybox true
  podman network exists lamina-bench-isolated ||
    podman network create -o isolate=true lamina-bench-isolated >/dev/null
fi
# The same network mode on both sides: the default (each tool's own bridge network, no --network
# given) and none (no network set up); the two tools take turns, and the medians are compared.
podman_run() {
  # runc: crun cannot run on hosts with the hybrid cgroup layout.
  podman run --runtime runc --rm "$@" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
    localhost/bench-busybox true
}
for mode in default none; do
  net=()
  if [ "$mode" != default ]; then net=(--network "$mode"); fi
  lamina_times=() podman_times=() isolated_times=()
  for ((i = 0; i < n; i++)); do
    lamina_times+=("$(bench_time "$lamina" --root "$store" run --rm "${net[@]}" bench/busybox true)")
    if [ -n "$have_podman" ]; then
      podman_times+=("$(bench_time podman_run "${net[@]}")")
      if [ "$mode" = default ]; then
        isolated_times+=("$(bench_time podman_run --network lamina-bench-isolated)")
      fi
    fi
  done
  t_lamina=$(bench_median "${lamina_times[@]}")
  echo "lamina run --rm, network $mode:  ${t_lamina}s (median of $n)"
  echo "lamina / runc:    $(bench_ratio "$t_lamina" "$t_runc")x"
  if [ -n "$have_podman" ]; then
    t_podman=$(bench_median "${podman_times[@]}")
    echo "podman run --rm, network $mode:  ${t_podman}s (median of $n)"
    echo "lamina / podman ($mode):  $(bench_ratio "$t_lamina" "$t_podman")x"
    if [ "$mode" = default ]; then
      t_isolated=$(bench_median "${isolated_times[@]}")
      echo "podman run --rm, isolated bridge network:  ${t_isolated}s (median of $n)"
      echo "lamina / podman (default, both isolated):  $(bench_ratio "$t_lamina" "$t_isolated")x"
    fi
  fi
done
# The same with --network none, each run just after another program wrote 2,000 files (about
# 100 MB) on the store's filesystem and before the kernel wrote them back: the unmount of an
# overlay without `volatile` syncs that whole filesystem (podman mounts --rm containers volatile,
# and so does Lamina). Written untimed before each run, the same for both.
if [ "${BENCH_PENDING:-1}" = 1 ]; then
  bench_tree "$work/pending-src" 2000 100
  pending() { sync; rm -rf "$work/pending"; cp -r "$work/pending-src" "$work/pending"; }
  lamina_times=() podman_times=()
  for ((i = 0; i < n; i++)); do
    pending
    lamina_times+=("$(bench_time "$lamina" --root "$store" run --rm --network none bench/busybox true)")
    if [ -n "$have_podman" ]; then
      pending
      podman_times+=("$(bench_time podman_run --network none)")
    fi
  done
  rm -rf "$work/pending"
  t_lamina=$(bench_median "${lamina_times[@]}")
  echo "lamina run --rm, none, other writes pending:  ${t_lamina}s (median of $n)"
  if [ -n "$have_podman" ]; then
    t_podman=$(bench_median "${podman_times[@]}")
    echo "podman run --rm, none, other writes pending:  ${t_podman}s (median of $n)"
    echo "lamina / podman (none, writes pending):  $(bench_ratio "$t_lamina" "$t_podman")x"
  fi
fi
echo "load average:     $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
