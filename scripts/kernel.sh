#!/usr/bin/env bash
# The Jupyter kernel of these notebooks ("Rust (incident-channels)"): evcxr, building in
# a lasting folder so that polars is compiled once, not at every kernel start.
#
# The kernel builds with the project's Cargo.lock, so that it finds every dependency the
# Makefile built (same versions, same artefacts). evcxr cannot be given a lock file: at
# start it writes its crate ("ctx") without dependencies and its rust-analyzer runs
# `cargo metadata`, which prunes a copied lock to nothing; the first `:dep` then resolved
# the newest versions from the registry, and on a machine whose index was newer than the
# lock polars was compiled a second time. So each build folder is a cargo workspace: the
# kernel's crate (kernel/) beside a crate that only depends on what the project does
# (pin/), which keeps every locked version in the workspace's lock while the kernel's
# crate has none.
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
    mkdir -p "$dir/kernel" "$dir/pin/src"
    printf '%s\n' "# Written by incident-channels scripts/kernel.sh: the kernel's crate and a pin of" \
      "# the project's dependencies, sharing one lock (the project's)." \
      "[workspace]" 'members = ["kernel", "pin"]' 'resolver = "2"' > "$dir/Cargo.toml"
    {
      printf '%s\n' '[package]' 'name = "incident-channels-pin"' 'version = "0.0.0"' \
        'edition = "2021"' 'publish = false' ''
      # The project's dependency sections, as they are: [dependencies] up to
      # [dev-dependencies] (target-specific ones included).
      sed -n '/^\[dependencies\]/,/^\[dev-dependencies\]/p' "$repo/Cargo.toml" | sed '$d'
    } > "$dir/pin/Cargo.toml"
    : > "$dir/pin/src/lib.rs"
    cp "$repo/Cargo.lock" "$dir/Cargo.lock.new" && mv "$dir/Cargo.lock.new" "$dir/Cargo.lock"
    export EVCXR_TMPDIR="$dir/kernel"
    # The lock stays held by evcxr (the descriptor survives exec) until it exits.
    exec "$evcxr" "$@"
  fi
  exec {lock}>&-
done
echo "kernel.sh: the 8 build folders under $root are all in use by running kernels" >&2
exit 1
