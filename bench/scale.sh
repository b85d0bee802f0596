#!/usr/bin/env bash
# bench/scale.sh: how Lamina's cost grows with the number of files. Build contexts of 5,000,
# 50,000 and 1,000,000 files (bench/gen-tree.py; made once, kept under SCALE_DIR, default
# /var/tmp/lamina-scale; the 1M one is about 1.5 GB), then for each size, time and peak memory
# (/usr/bin/time's maximum resident set) of:
#   cold       `COPY tree /data` in an empty store                 floor: tar -cf - tree | sha256sum
#   colddisk   the same, against a floor that also writes the tar to the disk and syncs it, as
#              the store does with a layer: tar -cf - tree | tee FILE | sha256sum; sync FILE
#   cached     the same build again after a file of the context that no step copies changed:
#              every step is cached, the tree walked and stat'ed   floor: find CONTEXT -newer STAMP
#   changed    the same build again after one file deep in the tree changed (same size, mtime
#              restored: only its ctime tells): the layer is written again  floor: tar | sha256sum
#              (the same file each turn: from the second change on, the digest memo's delta names
#              it, and the layer is written at once, without a walk to look the key up first)
#   firstedit  the same, but each turn is a file's first edit: a fresh store built untimed, then one
#              deep file changed as for `changed`, then the timed rebuild, whose lookup walk finds
#              the change (near its end) before the layer is written   floor: tar | sha256sum
#   ignore     cold build with a .dockerignore of 300 patterns     floor: tar | sha256sum
#   from       `COPY --from=IMAGE /data /data` of the big image    floor: tar | sha256sum
#   import     `lamina import tree`                                floor: tar | sha256sum
#   extract    extraction of the big layer (`lamina create`)       floor: tar -xf LAYER
#              (each turn into a store and a directory of its own: see the op)
#   save/load  `lamina save -o` / `lamina load -i` of the image    floor: a copy of the layer,
#              hashed as it is read, as the store verifies every blob it reads / sha256sum
#   push/pull  to and from a docker-registry on 127.0.0.1          floor: the same registry's
#              upload of the layer blob with curl (POST, then one streamed PUT) / its download
#              with curl into a file, hashed as it arrives (the registry's own work is in both)
# and the cold build with buildah (50,000 files only). Lamina and its floor take turns, RUNS times
# (default 3; which goes first alternates), and medians are printed, then the growth from the smallest size to the largest.
# SCALE_SIZES picks the sizes (default "5000 50000 1000000"); SCALE_OPS the operations (default
# all of the above). The 1M check also compares the cold build's layer with GNU tar
# --sort=name's tar of the same tree, entry by entry. Needs root, python3, GNU tar.
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$top/bench/common.sh"
work=${SCALE_DIR:-/var/tmp/lamina-scale}
sizes=${SCALE_SIZES:-5000 50000 1000000}
ops=${SCALE_OPS:-cold colddisk cached changed firstedit ignore from import extract save load push pull buildah}
runs=${RUNS:-3}
lamina="$top/bin/lamina"
mkdir -p "$work"
free_mb=$(df -Pm "$work" | awk 'NR == 2 { print $4 }')
if [[ " $sizes " == *" 1000000 "* ]] && [ ! -f "$work/ctx-1000000/.complete" ] && ((free_mb < 10000)); then
  echo "scale.sh: $work has ${free_mb} MB free; the 1M context and its stores need about 10 GB" >&2
  exit 1
fi
"$lamina" version >/dev/null # builds the jar and its class-data archives once
"$lamina" ps --help >/dev/null

mb_of() { case $1 in 5000) echo 210 ;; 50000) echo 311 ;; *) echo $(($1 * 3 / 2000)) ;; esac; }
for n in $sizes; do
  if [ ! -f "$work/ctx-$n/.complete" ]; then
    echo "generating ctx-$n ($n files, $(mb_of "$n") MB)..." >&2
    rm -rf "$work/ctx-$n"
    python3 "$top/bench/gen-tree.py" "$work/ctx-$n" "$n" "$(mb_of "$n")"
  fi
done

# measure CMD...: runs CMD, prints "SECONDS KB" (elapsed, peak resident set); output discarded.
measure() {
  local out
  out=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null 2>"$out.err" || {
    cat "$out.err" >&2
    rm -f "$out" "$out.err"
    return 1
  }
  tail -1 "$out"
  rm -f "$out" "$out.err"
}
median_of() { bench_median "$@"; }
declare -A T M F # T[op,n], M[op,n] (MiB), F[op,n]: medians

# run_op OP N PREPARE LAMINA_CMD FLOOR_CMD: RUNS turns of (prepare, lamina, floor), medians kept.
run_op() {
  local op=$1 n=$2 prepare=$3 cmd=$4 floor=$5 i r lt=() lm=() ft=()
  for ((i = 0; i < runs; i++)); do
    $prepare
    sync
    # Which goes first alternates, so that neither always finds the page cache as the other
    # left it.
    if ((i % 2 == 1)) && [ -n "$floor" ]; then
      r=$(measure bash -c "$floor")
      ft+=("${r% *}")
    fi
    r=$(measure bash -c "$cmd")
    lt+=("${r% *}")
    lm+=("${r#* }")
    if ((i % 2 == 0)) && [ -n "$floor" ]; then
      r=$(measure bash -c "$floor")
      ft+=("${r% *}")
    fi
  done
  T[$op,$n]=$(median_of "${lt[@]}")
  M[$op,$n]=$(($(printf '%s\n' "${lm[@]}" | sort -n | tail -1) / 1024))
  F[$op,$n]=$([ -n "$floor" ] && median_of "${ft[@]}" || echo -)
  printf '  %-8s %8s files  lamina %8ss  floor %8ss  ratio %6s  peak %5s MiB\n' "$op" "$n" \
    "${T[$op,$n]}" "${F[$op,$n]}" \
    "$([ "${F[$op,$n]}" = - ] && echo - || bench_ratio "${T[$op,$n]}" "${F[$op,$n]}")" \
    "${M[$op,$n]}" >&2
}

registry_pid=
port=
start_registry() {
  stop_registry
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  rm -rf "$work/registry" && mkdir -p "$work/registry"
  printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n  secret: bench\n' \
    "$work/registry" "$port" >"$work/registry.yml"
  /usr/bin/docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  echo "$port" >"$work/port"
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "docker-registry did not start" >&2
  return 1
}
stop_registry() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  registry_pid=
}
# The extracted trees go last, after every measurement (see extract below).
finish() {
  stop_registry
  rm -rf "$work/deferred"
}
trap finish EXIT

# entries TAR: one line per entry (name, type, mode, owner, size, time, link), as GNU tar lists it.
entries() { tar --numeric-owner --full-time -tvf "$1" | sed 's#^\([^ ]*\) \([^ ]*\) *\([0-9]*\) #\1 \2 \3 #; s# \./# #'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; medians of $runs" >&2
for n in $sizes; do
  ctx="$work/ctx-$n"
  root="$work/root-$n"
  layer_of() { # the blob of the image's last layer (uncompressed: its digest is its diff_id)
    local d
    d=$("$lamina" --root "$root" inspect "$1" | python3 -c \
      'import json, sys; d = json.load(sys.stdin); d = d[0] if isinstance(d, list) else d; print(d["RootFS"]["diff_ids"][-1])')
    echo "$root/images/blobs/sha256/${d#sha256:}"
  }
  floor_tar="tar -cf - -C '$ctx' tree | sha256sum"
  clean() { rm -rf "$root"; }
  for op in $ops; do
    case $op in
      cold)
        run_op cold "$n" clean "'$lamina' --root '$root' build -q -t big '$ctx'" "$floor_tar"
        if [ "$n" = "${sizes##* }" ]; then
          # the layer is GNU tar --sort=name's tar of the same tree, entry for entry
          tar --sort=name --numeric-owner --owner=0 --group=0 -C "$ctx" \
            --transform 's#^tree#data#' -cf "$work/reference.tar" tree
          if cmp -s <(entries "$(layer_of big)") <(entries "$work/reference.tar") &&
            cmp -s <(tar -xOf "$(layer_of big)" | sha256sum) <(tar -xOf "$work/reference.tar" | sha256sum); then
            echo "  layer of $n files: same entries, order and contents as tar --sort=name" >&2
          else
            echo "  layer of $n files DIFFERS from tar --sort=name:" >&2
            diff <(entries "$(layer_of big)") <(entries "$work/reference.tar") | head -5 >&2
          fi
          rm -f "$work/reference.tar"
        fi
        ;;
      colddisk)
        run_op colddisk "$n" clean "'$lamina' --root '$root' build -q -t big '$ctx'" \
          "tar -cf - -C '$ctx' tree | tee '$work/floor.tar' | sha256sum && sync '$work/floor.tar' && rm '$work/floor.tar'"
        ;;
      cached | changed | firstedit)
        [ -d "$root" ] || "$lamina" --root "$root" build -q -t big "$ctx" >/dev/null
        if [ "$op" = cached ]; then
          touch_one() {
            touch "$work/stamp"
            date >>"$ctx/notes.txt" # in the context, copied by no step
          }
          run_op cached "$n" touch_one "'$lamina' --root '$root' build -q -t big '$ctx'" \
            "find '$ctx' -newer '$work/stamp'"
        else
          deep=$(find "$ctx/tree" -type f -name 'f00007.js' | sort | tail -1)
          touch_deep() {
            # same size, same mtime, new bytes: only the change time tells. The bytes are the
            # clock's, never a content this file had before (flipping one byte back and forth
            # gave every other run a content the cache already had a layer for).
            local m
            m=$(stat -c %y "$deep")
            python3 -c "import sys, time; p = sys.argv[1]; n = min(8, len(open(p, 'rb').read())); open(p, 'r+b').write(str(time.time_ns())[-n:].encode())" "$deep"
            touch -d "$m" "$deep"
            # An edit is seldom built in the same two seconds: a file changed that recently is
            # hashed but not remembered (its stamp could still change unseen), so without the
            # wait only the turns the floor went first in measured the memo's save.
            sleep 2
          }
          if [ "$op" = changed ]; then
            run_op changed "$n" touch_deep "'$lamina' --root '$root' build -q -t big '$ctx'" \
              "$floor_tar"
          else
            # A store of its own, built anew each turn (its digest memo too): the rebuild after the
            # edit is the first one to see it.
            first_edit() {
              rm -rf "$work/firstedit-root"
              "$lamina" --root "$work/firstedit-root" build -q -t big "$ctx" >/dev/null
              touch_deep
            }
            run_op firstedit "$n" first_edit \
              "'$lamina' --root '$work/firstedit-root' build -q -t big '$ctx'" "$floor_tar"
            rm -rf "$work/firstedit-root"
          fi
        fi
        ;;
      ignore)
        # the same tree, seen through an ignore file of 300 patterns (a few of which match)
        cp "$ctx/Containerfile" "$ctx/Containerfile.ignore"
        { for i in $(seq 1 297); do echo "**/nomatch-$i/*.tmp"; done
          echo "**/*.log"; echo "tree/pkg000/mod0000"; echo "!tree/pkg000/mod0000/f00001.js"; } \
          >"$ctx/Containerfile.ignore.dockerignore"
        run_op ignore "$n" clean \
          "'$lamina' --root '$root' build -q -f '$ctx/Containerfile.ignore' -t big '$ctx'" "$floor_tar"
        rm -f "$ctx/Containerfile.ignore" "$ctx/Containerfile.ignore.dockerignore"
        ;;
      from)
        "$lamina" --root "$root" build -q -t big "$ctx" >/dev/null
        printf 'FROM scratch\nCOPY --from=big /data /copied\n' >"$work/Containerfile.from"
        run_op from "$n" true \
          "'$lamina' --root '$root' build -q --no-cache -f '$work/Containerfile.from' -t copied '$work'" \
          "$floor_tar"
        ;;
      import)
        run_op import "$n" clean "'$lamina' --root '$root' import '$ctx/tree' imported" "$floor_tar"
        ;;
      extract)
        "$lamina" --root "$root" build -q -t big "$ctx" >/dev/null
        blob=$(layer_of big)
        "$lamina" --root "$root" save -o "$work/extract-image.tar" big
        # Each turn extracts into places of its own, made untimed beforehand (the image loaded into
        # a fresh store), and nothing is deleted until the script ends: an ext4 without a journal
        # (this machine's root) skips inodes freed in the last minutes (up to six) when it
        # allocates new ones, rescanning them for each new inode (recently_deleted), so a turn
        # that followed the deletion of a million files spent most of its time in the kernel
        # scanning inode bitmaps (61 s for a 50,000-file extraction that takes 2 s), and
        # whichever side came next paid for it. Start the script five minutes after any large
        # deletion on this file system.
        turn=0
        fresh_extract() {
          turn=$((turn + 1))
          export EXTRACT_ROOT="$work/extract-root-$turn" EXTRACT_DIR="$work/extracted-$turn"
          "$lamina" --root "$EXTRACT_ROOT" load -i "$work/extract-image.tar" >/dev/null
          mkdir -p "$EXTRACT_DIR"
        }
        run_op extract "$n" fresh_extract \
          "'$lamina' --root \"\$EXTRACT_ROOT\" create --name bench-extract big /nothing" \
          "tar -xf '$blob' -C \"\$EXTRACT_DIR\""
        mkdir -p "$work/deferred/$n"
        mv "$work"/extract-root-* "$work"/extracted-* "$work/deferred/$n/"
        rm -f "$work/extract-image.tar"
        ;;
      save)
        "$lamina" --root "$root" build -q -t big "$ctx" >/dev/null
        blob=$(layer_of big)
        run_op save "$n" "rm -f $work/saved.tar" \
          "'$lamina' --root '$root' save -o '$work/saved.tar' big" "tee <'$blob' '$work/copy.tar' | sha256sum"
        rm -f "$work/copy.tar"
        ;;
      load)
        [ -f "$work/saved.tar" ] || "$lamina" --root "$root" save -o "$work/saved.tar" big
        run_op load "$n" "rm -rf $work/root-load" \
          "'$lamina' --root '$work/root-load' load -i '$work/saved.tar'" "sha256sum '$work/saved.tar'"
        rm -rf "$work/root-load" "$work/saved.tar"
        ;;
      push | pull)
        command -v /usr/bin/docker-registry >/dev/null || { echo "  $op: no docker-registry" >&2; continue; }
        "$lamina" --root "$root" build -q -t big "$ctx" >/dev/null
        blob=$(layer_of big)
        start_registry
        if [ "$op" = push ]; then
          run_op push "$n" "start_registry" \
            "'$lamina' --root '$root' push -q --tls-verify=false big docker://127.0.0.1:\$(cat '$work/port')/bench/big:1" \
            "'$top/bench/registry-blob.sh' upload 127.0.0.1:\$(cat '$work/port') bench/floor '$blob'"
        else
          "$lamina" --root "$root" push -q --tls-verify=false big "docker://127.0.0.1:$port/bench/big:1"
          run_op pull "$n" "rm -rf $work/root-pull" \
            "'$lamina' --root '$work/root-pull' pull -q --tls-verify=false docker://127.0.0.1:$port/bench/big:1" \
            "'$top/bench/registry-blob.sh' download 127.0.0.1:$port bench/big '$blob' '$work/copy.tar'"
          rm -rf "$work/root-pull"
        fi
        rm -f "$work/copy.tar"
        stop_registry
        ;;
      buildah)
        [ "$n" = 50000 ] || continue
        command -v buildah >/dev/null || { echo "  buildah: not installed" >&2; continue; }
        bclean() { buildah --root "$work/buildah" --runroot "$work/buildah-run" rmi -a -f >/dev/null 2>&1 || true; }
        run_op buildah "$n" bclean \
          "buildah --root '$work/buildah' --runroot '$work/buildah-run' --storage-driver overlay bud --layers -q -t big '$ctx'" \
          "$floor_tar"
        bclean
        ;;
      *) echo "scale.sh: unknown operation $op" >&2 && exit 2 ;;
    esac
  done
  rm -rf "$root"
done

first=${sizes%% *}
echo
echo "growth from $first files (time x, memory x); load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s' op
for n in $sizes; do printf ' %22s' "$n files"; done
echo
for op in $ops; do
  [ -n "${T[$op,$first]:-}" ] || continue
  printf '%-8s' "$op"
  for n in $sizes; do
    if [ -n "${T[$op,$n]:-}" ]; then
      printf ' %7ss %6sMiB %5sx' "${T[$op,$n]}" "${M[$op,$n]}" \
        "$([ "${F[$op,$n]}" = - ] && echo - || bench_ratio "${T[$op,$n]}" "${F[$op,$n]}")"
    else
      printf ' %22s' -
    fi
  done
  echo
done
echo "(columns: median time, peak memory, ratio to the floor; targets: cold <= 1.2x at 50k and"
echo " <= 1.5x at 1M, cached <= 2x find -newer, peak memory at 1M <= 1.3x that at 5k and < 200 MiB)"
