#!/usr/bin/env bash
# The Jupyter kernel of these notebooks ("Rust (incident-channels)"): evcxr, building in
# a lasting folder so that polars is compiled once, not at every kernel start.
#
# Two evcxr kernels building in one folder break each other, so a kernel holds a lock on
# its folder for as long as it runs, and a second kernel at the same time takes the next
# folder (which is cold the first time). The first folder is waited for a little, so
# that a kernel restarted right after the previous one exits still finds it warm.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
root="${INCIDENT_CHANNELS_BUILD_ROOT:-/var/tmp/incident-channels}"
evcxr="$(command -v evcxr_jupyter || echo "${CARGO_HOME:-$HOME/.cargo}/bin/evcxr_jupyter")"
for slot in 1 2 3 4 5 6 7 8; do
  dir="$root/evcxr"
  [ "$slot" = 1 ] || dir="$root/evcxr-$slot"
  mkdir -p "$dir"
  exec {lock}>"$dir/.incident-channels.lock"
  wait_seconds=0
  [ "$slot" = 1 ] && wait_seconds=10
  if flock -w "$wait_seconds" "$lock"; then
    export EVCXR_TMPDIR="$dir"
    # The kernel resolves the notebooks' dependencies from the project's own lock file,
    # so it uses the very versions the Makefile's build has compiled (and needs no
    # registry lookup).
    cp "$repo/Cargo.lock" "$dir/Cargo.lock"
    # The lock stays held by evcxr (the descriptor survives exec) until it exits.
    exec "$evcxr" "$@"
  fi
  exec {lock}>&-
done
echo "kernel.sh: the 8 build folders under $root are all in use by running kernels" >&2
exit 1
