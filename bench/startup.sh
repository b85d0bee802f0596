#!/usr/bin/env bash
# bench/startup.sh [N]: start-up of short commands, each next to what it is measured against, on
# the same machine in the same run. The commands being compared take turns, N rounds (default
# 10, at least 10 for the report); each line gives the medians and their ratio.
#
#   version, --help       vs a bare JVM printing hello with bin/lamina's JVM flags    (<= 1.5x)
#   images, ps -a         vs podman's, each tool with 100 containers in its own store (<= 0.5x)
#   run --rm IMAGE true   vs podman run --rm with the same flags (runc; ulimits as Lamina's), with
#                         --network none, host, and each tool's default              (<= 0.5x)
#   cached rebuild        of a 5,000-file context, beyond nothing                     (< 1 s)
#
# Needs root, runc, podman (its lines are left out without it), busybox-static and a JDK. Keeps
# its data in $BENCH_DIR (default /var/tmp/lamina-startup): Lamina's store and podman's own
# (--root), never the host's. BENCH_PARTS picks parts (default "jvm list run build").
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$top/bench/common.sh"
n=${1:-10}
parts=${BENCH_PARTS:-jvm list run build}
work=${BENCH_DIR:-/var/tmp/lamina-startup}
lamina="$top/bin/lamina"
store="$work/lamina-store"
mkdir -p "$work"
"$lamina" version >/dev/null # builds the jar and its class-data archives once
"$lamina" ps --help >/dev/null
"$lamina" run --help >/dev/null

have_podman=
if command -v podman >/dev/null; then have_podman=1; fi
# podman with a store of its own under $work; runc, as crun fails on this cgroup layout.
pm() {
  podman --root "$work/podman-root" --runroot "$work/podman-run" --storage-driver overlay \
    --runtime runc "$@"
}

# measure NAME CMD...: registers a command for the next round_robin.
names=() cmds=()
measure() {
  names+=("$1")
  shift
  cmds+=("$(printf '%q ' "$@")")
}
# round_robin: runs the registered commands in turn, N rounds; sets median_<i> for each.
round_robin() {
  local i r t
  declare -gA times=()
  for ((r = 0; r < n; r++)); do
    for i in "${!cmds[@]}"; do
      t=$(bench_time eval "${cmds[$i]}" 2>/dev/null)
      times[$i]+="$t "
    done
  done
  for i in "${!cmds[@]}"; do
    # shellcheck disable=SC2086
    declare -g "median_$i=$(bench_median ${times[$i]})"
  done
  names=() cmds=()
}
# line WHAT A B TARGET: a line of the report for medians A (Lamina) and B (the other).
line() {
  printf '%-34s %8ss %8ss %7sx   target %s\n' "$1" "$2" "$3" "$(bench_ratio "$2" "$3")" "$4"
}
header() { printf '\n%-34s %9s %9s %8s\n' "$1" lamina "$2" ratio; }

# A busybox image in each store, imported once.
bench_busybox_rootfs "$work/rootfs"
bench_busybox_image "$lamina" "$store" "$work/rootfs"
if [ -n "$have_podman" ] && ! pm image exists localhost/bench/busybox 2>/dev/null; then
  tar -C "$work/rootfs" -c . | pm import - localhost/bench/busybox >/dev/null 2>&1
fi

jvm_part() {
  # The bare JVM: a class that prints hello, run with the flags bin/lamina gives the JVM. They
  # are read from bin/lamina itself, through a stand-in java that prints them.
  local fake="$work/flags-jdk" flags=() a skip=
  mkdir -p "$fake/bin" "$work/hello"
  printf '#!/bin/sh\nprintf "%%s\\n" "$@"\n' >"$fake/bin/java"
  chmod +x "$fake/bin/java"
  while IFS= read -r a; do
    if [ "$a" = -jar ] || [ "$a" = -cp ]; then skip=1; fi
    case $a in -XX:SharedArchiveFile=* | -Dlamina.home=*) continue ;; esac
    [ -z "$skip" ] && flags+=("$a")
  done < <(JAVA_HOME="$fake" "$lamina" version)
  if [ ! -f "$work/hello/Hello.class" ]; then
    printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' \
      >"$work/hello/Hello.java"
    javac -d "$work/hello" "$work/hello/Hello.java"
  fi
  local java_bin
  java_bin=$(readlink -f "$(command -v java)")
  measure hello "$java_bin" "${flags[@]}" -cp "$work/hello" Hello
  measure version "$lamina" version
  measure help "$lamina" --help
  measure "java" "$java_bin" "${flags[@]}" -XX:SharedArchiveFile="$top/cli/target/lamina-quick.jsa" \
    -cp "$top/cli/target/lamina.jar" dev.lamina.cli.Main version
  round_robin
  header "JVM start (median of $n)" "hello"
  line "lamina version" "$median_1" "$median_0" "<= 1.5x"
  line "lamina --help" "$median_2" "$median_0" "<= 1.5x"
  line "version without bin/lamina" "$median_3" "$median_0" "(the launcher's cost: the first line minus this)"
}

list_part() {
  # 100 containers in each store, made once (not timed).
  local have i
  have=$("$lamina" --root "$store" ps -a -q | wc -l)
  for ((i = have; i < 100; i++)); do
    "$lamina" --root "$store" create bench/busybox true >/dev/null
  done
  measure images "$lamina" --root "$store" images
  measure ps "$lamina" --root "$store" ps -a
  if [ -n "$have_podman" ]; then
    have=$(pm ps -a -q | wc -l)
    for ((i = have; i < 100; i++)); do
      pm create localhost/bench/busybox true >/dev/null
    done
    measure "podman images" pm images
    measure "podman ps" pm ps -a
  fi
  round_robin
  header "100 containers (median of $n)" "podman"
  if [ -n "$have_podman" ]; then
    line "images" "$median_0" "$median_2" "<= 0.5x"
    line "ps -a" "$median_1" "$median_3" "<= 0.5x"
  else
    echo "images: ${median_0}s, ps -a: ${median_1}s (no podman)"
  fi
}

run_part() {
  local mode flag
  "$lamina" --root "$store" run --rm bench/busybox true # warm-up: layer extraction
  for mode in none host default; do
    flag=(--network "$mode")
    if [ "$mode" = default ]; then flag=(); fi
    measure lamina "$lamina" --root "$store" run --rm "${flag[@]}" bench/busybox true
    if [ -n "$have_podman" ]; then
      # Lamina's default limits, given to podman too.
      measure podman pm run --rm "${flag[@]}" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
        localhost/bench/busybox true
    fi
    round_robin
    if [ "$mode" = none ]; then header "run --rm IMAGE true (median of $n)" "podman"; fi
    if [ -n "$have_podman" ]; then
      line "network $mode" "$median_0" "$median_1" "<= 0.5x"
    else
      echo "network $mode: ${median_0}s (no podman)"
    fi
  done
}

build_part() {
  # The context bench/build.sh uses (5,000 files); one build fills the cache (not timed).
  local ctx="$work/context"
  bench_tree "$ctx/tree" 5000 "${BUILD_MB:-200}"
  printf 'FROM scratch\nCOPY tree /data\nLABEL bench=copy\n' >"$ctx/Containerfile"
  "$lamina" --root "$store" build -q -t bench/copy "$ctx" >/dev/null
  measure rebuild "$lamina" --root "$store" build -q -t bench/copy "$ctx"
  round_robin
  printf '\n%-34s %8ss   target < 1s\n' "cached rebuild, 5,000 files" "$median_0"
}

for part in $parts; do "${part}_part"; done
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
