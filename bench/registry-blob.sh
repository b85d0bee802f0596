#!/usr/bin/env bash
# bench/registry-blob.sh: the floor for a push or pull of one layer, the least a client can do
# against the same registry.
#   upload HOST:PORT REPO BLOB          POST an upload, then PUT the blob in one streamed request
#   download HOST:PORT REPO BLOB FILE   GET the blob (named by BLOB's file name, its digest) into
#                                       FILE, hashing it as it arrives
set -euo pipefail
op=$1 registry=$2 repo=$3 blob=$4
digest=sha256:$(basename "$blob")
case $op in
  upload)
    location=$(curl -fsS -D - -o /dev/null -X POST "http://$registry/v2/$repo/blobs/uploads/" |
      tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
    case $location in http*) ;; *) location=http://$registry$location ;; esac
    case $location in *\?*) sep='&' ;; *) sep='?' ;; esac
    curl -fsS -o /dev/null -T "$blob" -H 'Content-Type: application/octet-stream' \
      "$location${sep}digest=$digest"
    ;;
  download)
    curl -fsS "http://$registry/v2/$repo/blobs/$digest" | tee "$5" | sha256sum >/dev/null
    ;;
  *) echo "registry-blob.sh: upload or download, not $op" >&2 && exit 2 ;;
esac
