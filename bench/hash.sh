#!/usr/bin/env bash
# Hashing throughput: the JDK's MessageDigest against Lamina's hashers (libcrypto for content over
# 1 MiB), 200 MiB in 1 MiB pieces, each in a fresh JVM with C1 only (-XX:TieredStopAtLevel=1, as
# bin/lamina runs short commands) and with C1 + C2; three passes, the first with the JIT's
# warm-up. Then the cost of the first large hasher in a cold JVM, with and without jnr-ffi loaded.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
runs=${RUNS:-3}
classes=$(mktemp -d)
trap 'rm -rf "$classes"' EXIT

(cd "$top" && ./mvnw -q -B -o -pl layerfs -DskipTests compile \
  dependency:build-classpath -Dmdep.outputFile="$classes/cp" >&2)
cp="$top/layerfs/target/classes:$(cat "$classes/cp")"
javac -d "$classes" -cp "$cp" "$here/HashBench.java"
# bench [JVM-OPTION...] -- ARG...
bench() {
  local opts=()
  while [ "$1" != -- ]; do
    opts+=("$1")
    shift
  done
  shift
  java -XX:+UseSerialGC "${opts[@]}" -cp "$classes:$cp" HashBench "$@"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "MB/s, 200 MiB per pass, passes 1 2 3:"
for jit in C1 C1+C2; do
  flags=()
  [ "$jit" = C1 ] && flags=(-XX:TieredStopAtLevel=1)
  for alg in sha256 sha512; do
    for engine in jdk lamina; do
      printf '  %-6s %-6s %-7s %s\n' "$jit" "$alg" "$engine" \
        "$(bench "${flags[@]}" -- throughput "$engine" "$alg" 200 3)"
    done
  done
done
echo "first large hasher in a cold JVM (C1), best of $runs:"
for mode in cold after-jnr; do
  args=(first)
  [ "$mode" = after-jnr ] && args+=(after-jnr)
  best=
  for ((i = 0; i < runs; i++)); do
    r=$(bench -XX:TieredStopAtLevel=1 -- "${args[@]}")
    ms=${r%% *}
    if [ -z "$best" ] || (($(echo "$ms < ${best%% *}" | bc -l))); then best=$r; fi
  done
  printf '  %-9s %s\n' "$mode" "$best"
done
