#!/usr/bin/env bash
# bench/monitor.sh [N]: what keeps a detached container, Lamina's next to podman's (both: conmon
# and runc). Starts N detached `sleep` containers with each tool (default 10), taking turns,
# and prints the median `run -d` time, then the memory of the monitors of those containers
# (resident set, and proportional set: shared library pages divided among the processes that map
# them), per container, and the time `stop -t 2` of all N takes when PID 1 ignores SIGTERM (one
# timeout when the containers are stopped in parallel).
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$top/bench/common.sh"
n=${1:-10}
work=${LAMINA_BENCH_DIR:-/tmp/lamina-bench}
lamina="$top/bin/lamina"
mkdir -p "$work"

bench_busybox_rootfs "$work/rootfs"
store="$work/store"
bench_busybox_image "$lamina" "$store" "$work/rootfs"
"$lamina" --root "$store" run --rm --network none bench/busybox true # warm-up
have_podman=
if command -v podman >/dev/null; then
  have_podman=1
  if ! podman image exists localhost/bench-busybox 2>/dev/null; then
    tar -C "$work/rootfs" -c . | podman import - localhost/bench-busybox >/dev/null
  fi
fi

# memory KIND ID...: the summed Rss or Pss (kB) of the conmon processes of these containers.
memory() {
  local kind=$1 total=0 id pid kb
  shift
  for id in "$@"; do
    for pid in $(pgrep -f "conmon .*-c $id" || true); do
      kb=$(awk -v k="$kind:" '$1 == k { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
      total=$((total + ${kb:-0}))
    done
  done
  echo "$total"
}
per() { echo "$1 / $2 / 1024" | bc -l | xargs printf '%.2f'; }

lamina_ids=() podman_ids=() lamina_times=() podman_times=()
run_lamina() { lamina_ids+=("$("$lamina" --root "$store" run -d --network none bench/busybox sleep 600)"); }
run_podman() {
  podman_ids+=("$(podman run -d --runtime runc --network none \
    --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/bench-busybox sleep 600)")
}
for ((i = 0; i < n; i++)); do
  start=$(date +%s.%N); run_lamina; end=$(date +%s.%N)
  lamina_times+=("$(echo "$end - $start" | bc -l)")
  if [ -n "$have_podman" ]; then
    start=$(date +%s.%N); run_podman; end=$(date +%s.%N)
    podman_times+=("$(echo "$end - $start" | bc -l)")
  fi
done
t_lamina=$(bench_median "${lamina_times[@]}")
echo "lamina run -d:    ${t_lamina}s (median of $n)"
echo "lamina monitor:   $(per "$(memory Rss "${lamina_ids[@]}")" "$n") MB resident," \
  "$(per "$(memory Pss "${lamina_ids[@]}")" "$n") MB proportional, per container"
if [ -n "$have_podman" ]; then
  t_podman=$(bench_median "${podman_times[@]}")
  echo "podman run -d:    ${t_podman}s (median of $n)"
  echo "lamina / podman:  $(bench_ratio "$t_lamina" "$t_podman")x"
  echo "podman monitor:   $(per "$(memory Rss "${podman_ids[@]}")" "$n") MB resident," \
    "$(per "$(memory Pss "${podman_ids[@]}")" "$n") MB proportional, per container"
fi
# sleep as PID 1 has no handler for SIGTERM: each is killed after the timeout.
echo "lamina stop -t 2 of $n: $(bench_time "$lamina" --root "$store" stop -t 2 "${lamina_ids[@]}" 2>/dev/null)s"
"$lamina" --root "$store" rm "${lamina_ids[@]}" >/dev/null
if [ -n "$have_podman" ]; then
  echo "podman stop -t 2 of $n: $(bench_time podman stop -t 2 "${podman_ids[@]}" 2>/dev/null)s"
  podman rm "${podman_ids[@]}" >/dev/null
fi
echo "load average:     $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
