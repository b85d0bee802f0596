# Sourced by the benchmarks: timing helpers and test data.

# bench_time CMD...: runs CMD, prints elapsed seconds (3 decimals) to stdout; CMD output to stderr.
# The clock is bash's own ($EPOCHREALTIME): no process is started inside the timed span.
bench_time() {
  local start end
  start=${EPOCHREALTIME//[!0-9]/}
  "$@" >&2
  end=${EPOCHREALTIME//[!0-9]/}
  printf '%d.%03d\n' $(((end - start) / 1000000)) $((((end - start) / 1000) % 1000))
}

# bench_best N CMD...: the best of N runs, in seconds.
bench_best() {
  local n=$1 best= t i
  shift
  for ((i = 0; i < n; i++)); do
    t=$(bench_time "$@")
    if [ -z "$best" ] || (($(echo "$t < $best" | bc -l))); then best=$t; fi
  done
  echo "$best"
}

# bench_median T...: the median of the times given, in seconds.
bench_median() {
  printf '%s\n' "$@" | sort -n | awk '{ t[NR] = $1 } END {
    if (NR % 2) printf "%.3f\n", t[(NR + 1) / 2]; else printf "%.3f\n", (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

# bench_ratio A B: A/B with two decimals.
bench_ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f\n'; }

# bench_tree DIR FILES MB: a directory of FILES random files totalling about MB megabytes,
# spread over 50 directories, made once and reused.
bench_tree() {
  local dir=$1 files=$2 mb=$3
  if [ -f "$dir/.complete" ]; then return 0; fi
  rm -rf "$dir"
  mkdir -p "$dir"
  local per=$((mb * 1024 * 1024 / files)) i d
  for ((i = 0; i < files; i++)); do
    d="$dir/d$((i % 50))"
    mkdir -p "$d"
    # sizes vary from 0.5x to 1.5x the mean so files are not all alike
    head -c $((per / 2 + (i * 7919 % per))) /dev/urandom >"$d/f$i.bin"
  done
  touch "$dir/.complete"
}

# bench_busybox_rootfs DIR: a busybox root filesystem (samples/busybox/make-rootfs), made once.
bench_busybox_rootfs() {
  local dir=$1
  if [ ! -f "$dir/bin/busybox" ]; then
    rm -rf "$dir"
    "$top/samples/busybox/make-rootfs" "$dir" >/dev/null
  fi
}

# bench_busybox_image LAMINA STORE ROOTFS: the image bench/busybox in STORE, imported once.
bench_busybox_image() {
  local lamina=$1 store=$2 rootfs=$3
  "$lamina" --root "$store" inspect --type image bench/busybox >/dev/null 2>&1 ||
    "$lamina" --root "$store" import "$rootfs" bench/busybox >/dev/null
}
