#!/usr/bin/env bash
# bench/run.sh [N]: `lamina run --rm IMAGE true` next to `podman run --rm` (same image, runc) and a
# raw `runc run` of a prepared bundle; best of N (default 10) each, with ratios.
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

t_lamina=$(bench_best "$n" "$lamina" --root "$store" run --rm bench/busybox true)
t_runc=$(bench_best "$n" raw_runc)
echo "lamina run --rm:  ${t_lamina}s"
echo "runc run:         ${t_runc}s"
echo "lamina / runc:    $(bench_ratio "$t_lamina" "$t_runc")x"
if command -v podman >/dev/null; then
  if ! podman image exists localhost/bench-busybox 2>/dev/null; then
    tar -C "$work/rootfs" -c . | podman import - localhost/bench-busybox >/dev/null
  fi
  # runc: crun cannot run on hosts with the hybrid cgroup layout.
  t_podman=$(bench_best "$n" podman run --runtime runc --rm --ulimit nofile=1024:1024 \
    --ulimit nproc=1024:1024 localhost/bench-busybox true)
  echo "podman run --rm:  ${t_podman}s"
  echo "lamina / podman:  $(bench_ratio "$t_lamina" "$t_podman")x"
fi
echo "load average:     $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
