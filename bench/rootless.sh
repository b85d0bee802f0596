#!/usr/bin/env bash
# bench/rootless.sh USER [N]: rootless `lamina run --rm IMAGE true` next to rootless `podman run
# --rm` (same image, runc, --network none, kernel overlayfs storage) for the same unprivileged
# USER, who needs subordinate ranges in /etc/subuid and /etc/subgid and read access to this
# checkout (bin/lamina, the jar).
# Run as root (it switches to USER with runuser); N rounds (default 10), taking turns, medians.
# Both tools keep their own long-lived user namespace (podman's pause process, Lamina's holder),
# made by an untimed warm-up run.
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$top/bench/common.sh"
user=${1:?usage: bench/rootless.sh USER [N]}
n=${2:-10}
work=${LAMINA_BENCH_DIR:-/tmp/lamina-bench-rootless}
lamina="$top/bin/lamina"
[ -f "$top/cli/target/lamina.jar" ] || (cd "$top" && ./mvnw -q -B -DskipTests package)
# As root first: bin/lamina makes its class-data archives, which the user can only read (run's
# own too: without it, a user's run would have the full one).
"$lamina" version >/dev/null
"$lamina" ps --help >/dev/null
"$lamina" run --help >/dev/null
as_user() { runuser -u "$user" -- env -C "$work" "$@"; }

mkdir -p "$work"
bench_busybox_rootfs "$work/rootfs"
chown "$user" "$work"
chmod -R a+rX "$work"
store="$work/store"
as_user "$lamina" --root "$store" inspect --type image bench/busybox >/dev/null 2>&1 ||
  tar -C "$work/rootfs" --numeric-owner -c . | as_user "$lamina" --root "$store" import - bench/busybox >/dev/null
as_user "$lamina" --root "$store" run --rm --network none bench/busybox true
have_podman=
if command -v podman >/dev/null; then
  have_podman=1
  # The same storage as Lamina's: kernel overlayfs in the user namespace, in a store of the
  # bench's own (podman may have chosen vfs for the user's default store, which copies every
  # container's root filesystem).
  pm() {
    as_user podman --root "$work/podman-root" --runroot "$work/podman-run" \
      --storage-driver overlay "$@"
  }
  pm image exists localhost/bench-busybox 2>/dev/null ||
    tar -C "$work/rootfs" -c . | pm import - localhost/bench-busybox >/dev/null
  podman_run() {
    # runc: crun cannot run on hosts with the hybrid cgroup layout.
    pm run --runtime runc --rm --network none --ulimit nofile=1024:1024 \
      --ulimit nproc=1024:1024 localhost/bench-busybox true
  }
  podman_run
  echo "podman storage:   $(pm info --format '{{.Store.GraphDriverName}}'); lamina storage: overlay"
fi
lamina_times=() podman_times=()
for ((i = 0; i < n; i++)); do
  lamina_times+=("$(bench_time as_user "$lamina" --root "$store" run --rm --network none bench/busybox true)")
  if [ -n "$have_podman" ]; then podman_times+=("$(bench_time podman_run)"); fi
done
t_lamina=$(bench_median "${lamina_times[@]}")
echo "rootless lamina run --rm --network none:  ${t_lamina}s (median of $n, as $user)"
if [ -n "$have_podman" ]; then
  t_podman=$(bench_median "${podman_times[@]}")
  echo "rootless podman run --rm --network none:  ${t_podman}s (median of $n, as $user)"
  echo "lamina / podman:  $(bench_ratio "$t_lamina" "$t_podman")x"
fi
echo "load average:     $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
