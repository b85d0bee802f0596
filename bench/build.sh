#!/usr/bin/env bash
# bench/build.sh [FILES] [MB]: two recipes built with Lamina and with `buildah bud`. Needs root,
# buildah, runc, busybox-static and a built CLI (bin/lamina builds it). BENCH_PARTS picks them
# (default "copy run").
#
# copy: a COPY-heavy recipe (default 5,000 files, 200 MB), cold (from an emptied store and cache,
#   the emptying not timed) and cached (unchanged context), best of 5 each.
# run: a RUN-heavy recipe (RUN_FILES small files, default 5,000, made by a shell loop, then
#   `useradd`) on a base the bench makes offline (samples/busybox plus the host's useradd and its
#   libraries), every step run afresh (--no-cache); Lamina, buildah with the overlay storage
#   driver and buildah with vfs take turns, RUN_ROUNDS times each (default 10), and the medians
#   are compared. Both run steps with runc and the host's network.
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$top/bench/common.sh"
files=${1:-5000}
mb=${2:-200}
parts=${BENCH_PARTS:-copy run}
work=${BENCH_DIR:-/var/tmp/lamina-bench}
lamina="$top/bin/lamina"
"$lamina" version >/dev/null # builds the jar and its class-data archives once
"$lamina" ps --help >/dev/null

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

copy_bench() {
  ctx="$work/context-$files-$mb"
  mkdir -p "$work"
  bench_tree "$ctx/tree" "$files" "$mb"
  printf 'FROM scratch\nCOPY tree /data\nLABEL bench=copy\n' >"$ctx/Containerfile"
  lroot="$work/lamina-root"
  lamina_clean() { rm -rf "$lroot"; }
  lamina_build() { "$lamina" --root "$lroot" build -q -t bench "$ctx" >/dev/null; }
  broot="$work/buildah-root"
  brun="$work/buildah-runroot"
  buildah_cmd() { buildah --root "$broot" --runroot "$brun" --storage-driver overlay "$@"; }
  buildah_clean() { buildah_cmd rmi -a -f >/dev/null 2>&1 || true; }
  buildah_build() { buildah_cmd bud --layers -q -t bench -f "$ctx/Containerfile" "$ctx" >/dev/null; }

  echo "COPY of $files files, $mb MB (best of 5)"
  local lc lh bc bh jvm
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
}

# run_base DIR: a busybox root filesystem (samples/busybox/make-rootfs) with the host's useradd,
# its libraries and login.defs, as rootfs.tar with every time at 1970; made once and reused.
run_base() {
  local dir=$1 root="$1/rootfs" lib
  if [ -f "$dir/.complete" ]; then return 0; fi
  rm -rf "$dir"
  mkdir -p "$dir"
  "$top/samples/busybox/make-rootfs" "$root"
  install -D -m 755 /usr/sbin/useradd "$root/usr/sbin/useradd"
  for lib in $(ldd /usr/sbin/useradd | grep -o '/[^ ]*'); do
    install -D -m 755 "$lib" "$root$lib"
  done
  install -D -m 644 /etc/login.defs "$root/etc/login.defs"
  : >"$root/etc/shadow"
  : >"$root/etc/gshadow"
  chmod 640 "$root/etc/shadow" "$root/etc/gshadow"
  tar --numeric-owner --sort=name --mtime=@0 -C "$root" -cf "$dir/rootfs.tar" .
  printf 'FROM scratch\nADD rootfs.tar /\nCMD ["sh"]\n' >"$dir/Containerfile"
  touch "$dir/.complete"
}

run_bench() {
  local n=${RUN_FILES:-5000} rounds=${RUN_ROUNDS:-10} base="$work/run-base" ctx i
  ctx="$work/run-context-$n"
  run_base "$base"
  mkdir -p "$ctx"
  cat >"$ctx/Containerfile" <<R
FROM runbase
RUN mkdir /data && i=0 && while [ \$i -lt $n ]; do echo "file \$i" > /data/f\$i; i=\$((i + 1)); done
RUN useradd -m -u 1001 -s /bin/sh worker && mkdir /home/worker/work && chown worker: /home/worker/work
R
  local lroot="$work/lamina-run-root"
  rm -rf "$lroot"
  "$lamina" --root "$lroot" build -q -t runbase "$base" >/dev/null
  buildah_run() { # DRIVER ARGS...
    local driver=$1
    shift
    buildah --root "$work/buildah-run-$driver" --runroot "$work/buildah-run-$driver-runroot" \
      --storage-driver "$driver" "$@"
  }
  for d in overlay vfs; do
    buildah_run $d rmi -a -f >/dev/null 2>&1 || true
    buildah_run $d bud --layers -q -t runbase -f "$base/Containerfile" "$base" >/dev/null
  done
  lamina_run_build() {
    "$lamina" --root "$lroot" build -q --no-cache --network host -t runbench "$ctx" >/dev/null
  }
  buildah_run_build() {
    buildah_run "$1" bud --layers --no-cache --runtime runc --network host -q -t runbench \
      -f "$ctx/Containerfile" "$ctx" >/dev/null
  }
  # One untimed round first (each tool's first build warms its caches and checks the recipe).
  lamina_run_build
  buildah_run_build overlay
  buildah_run_build vfs
  local lt=() ot=() vt=()
  for ((i = 0; i < rounds; i++)); do
    sync
    lt+=("$(bench_time lamina_run_build)")
    sync
    ot+=("$(bench_time buildah_run_build overlay)")
    sync
    vt+=("$(bench_time buildah_run_build vfs)")
  done
  local l o v
  l=$(bench_median "${lt[@]}")
  o=$(bench_median "${ot[@]}")
  v=$(bench_median "${vt[@]}")
  echo "RUN of $n files by a shell loop, then useradd, --no-cache (median of $rounds, taking turns)"
  printf '%-22s %8s %15s %12s\n' "" lamina "buildah overlay" "buildah vfs"
  printf '%-22s %8s %15s %12s\n' "build (s)" "$l" "$o" "$v"
  echo "buildah overlay/lamina = $(bench_ratio "$o" "$l")x;" \
    "buildah vfs/lamina = $(bench_ratio "$v" "$l")x"
  echo "lamina runs: ${lt[*]}"
  echo "buildah overlay runs: ${ot[*]}"
  echo "buildah vfs runs: ${vt[*]}"
}

for part in $parts; do
  case $part in
    copy) copy_bench ;;
    run) run_bench ;;
    *) echo "build.sh: unknown part $part (copy, run)" >&2; exit 2 ;;
  esac
done
