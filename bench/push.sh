#!/usr/bin/env bash
# Pushes a 200 MB, 5,000-file image (one uncompressed layer, from an OCI layout) to a local
# docker-registry with gzip, with Lamina and with skopeo, and prints both times and their ratio
# (Lamina / skopeo; below 1 means Lamina is faster). Each run starts from an empty registry and an
# empty compression cache, so both tools compress and send every byte.
# Usage: bench/push.sh [RUNS]   (best of RUNS each, default 3)
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$top/bench/common.sh"
runs=${1:-3}
work=${LAMINA_BENCH_DIR:-/tmp/lamina-bench}
mkdir -p "$work"
lamina="$top/bin/lamina"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export LAMINA_ROOT="$work/root"

bench_tree "$work/tree" 5000 200

# An OCI layout holding the tree as one uncompressed layer, as both tools read it.
layout="$work/layout"
if [ ! -f "$layout/.complete" ]; then
  rm -rf "$layout" && mkdir -p "$layout/blobs/sha256"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --exclude=.complete \
    -C "$work/tree" -cf "$work/layer.tar" .
  put() { local h; h=$(sha256sum "$1" | cut -d' ' -f1); mv "$1" "$layout/blobs/sha256/$h"; echo "$h"; }
  layer=$(put "$work/layer.tar")
  lsize=$(stat -c %s "$layout/blobs/sha256/$layer")
  printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$layer" >"$work/config.json"
  config=$(put "$work/config.json")
  csize=$(stat -c %s "$layout/blobs/sha256/$config")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$config" "$csize" "$layer" "$lsize" >"$work/manifest.json"
  msize=$(stat -c %s "$work/manifest.json")
  manifest=$(put "$work/manifest.json")
  printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"bench"}}]}' \
    "$manifest" "$msize" >"$layout/index.json"
  touch "$layout/.complete"
fi
rm -rf "$LAMINA_ROOT"
"$lamina" load "oci:$layout:bench" -t bench >&2

registry_pid=
start_registry() {
  stop_registry
  rm -rf "$work/registry"
  mkdir -p "$work/registry"
  printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n  secret: bench\n' \
    "$work/registry" "$port" >"$work/registry.yml"
  /usr/bin/docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "docker-registry did not start" >&2 && exit 1
}
stop_registry() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  registry_pid=
}
trap stop_registry EXIT

lamina_push() {
  rm -rf "$LAMINA_ROOT/cache/compressed" "$LAMINA_ROOT/cache/registry"
  bench_time "$lamina" push -q --compression-format gzip bench "docker://127.0.0.1:$port/bench/lamina:1"
}
skopeo_push() {
  bench_time skopeo copy -q --dest-tls-verify=false --dest-compress-format gzip --dest-compress \
    "oci:$layout:bench" "docker://127.0.0.1:$port/bench/skopeo:1"
}
# Runs alternate (lamina, skopeo, lamina, ...), each against a fresh registry, so that both
# tools see the same load on a shared machine; the best of each is kept.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
l= s=
for ((i = 0; i < runs; i++)); do
  start_registry # here, not in a subshell, so that its pid is known for the next stop
  t=$(lamina_push | tail -1)
  if [ -z "$l" ] || (($(echo "$t < $l" | bc -l))); then l=$t; fi
  start_registry
  t=$(skopeo_push | tail -1)
  if [ -z "$s" ] || (($(echo "$t < $s" | bc -l))); then s=$t; fi
done
echo "push 200MB/5000 files, gzip, best of $runs: lamina ${l}s  skopeo ${s}s  ratio lamina/skopeo $(bench_ratio "$l" "$s")  (load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after, $(nproc) cores)"
