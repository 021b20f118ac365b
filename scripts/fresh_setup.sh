#!/usr/bin/env bash
# Times the README's first command, `make`, from the state a new user starts in, and
# prints each phase. Then runs `make` again and checks that git sees no change, and that
# polars was compiled once (one libpolars_core in the build folder).
#
#     scripts/fresh_setup.sh [--no-caches] [WORK_DIR]
#
# Nothing of this machine's set-up is used: a fresh clone of HEAD, no evcxr_jupyter (its
# own CARGO_HOME, whose bin/ holds only the toolchain's commands), no venv, no build
# folder, no kernelspecs (its own JUPYTER_DATA_DIR), and none of the apt packages the
# set-up installs (removed first when run as root, so that they arrive during `make` as
# on a new machine; they are installed again by it). What may stay, as for anyone who has
# used Rust and pip before: the crate download cache (the registry is linked in) and
# pip's download cache; `--no-caches` starts without either. WORK_DIR (default: a new
# folder in /var/tmp, not under the home folder, like the kernel's build folder) is left
# for inspection.
set -euo pipefail
no_caches=""
if [ "${1:-}" = "--no-caches" ]; then
  no_caches=1
  shift
fi
repo="${FRESH_SETUP_REPO:-$(cd "$(dirname "$0")/.." && pwd)}"
work="${1:-$(mktemp -d /var/tmp/incident-channels-fresh.XXXXXX)}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
real_cargo_home="${CARGO_HOME:-$HOME/.cargo}"

# A CARGO_HOME with the toolchain's commands (rustup's proxies) and the download cache.
cargo_home="$work/cargo-home"
mkdir -p "$cargo_home/bin"
for tool in cargo rustc rustup rustfmt cargo-fmt cargo-clippy clippy-driver rustdoc; do
  [ -e "$real_cargo_home/bin/$tool" ] && ln -sfn "$real_cargo_home/bin/$tool" "$cargo_home/bin/$tool"
done
if [ -z "$no_caches" ]; then
  [ -e "$cargo_home/registry" ] || ln -s "$real_cargo_home/registry" "$cargo_home/registry"
  pip_cache="${PIP_CACHE_DIR:-$HOME/.cache/pip}"
else
  rm -rf "$cargo_home/registry"
  pip_cache="$work/pip-cache"
  rm -rf "$pip_cache"
fi

# The apt packages scripts/setup.sh installs (mold for `make`): gone, as on a new machine.
for package in mold; do
  if dpkg -s "$package" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get remove -y -q "$package" >/dev/null
      echo "removed $package (scripts/setup.sh installs it again during make)"
    else
      echo "fresh_setup: $package is installed and only root can remove it; this run is not from a new machine's state" >&2
    fi
  fi
done
path_without_cargo="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$real_cargo_home/bin" | paste -sd:)"

rm -rf "$work/repo"
git clone -q "$repo" "$work/repo"
cd "$work/repo"
log="$work/make.log"
echo "fresh set-up in $work (log: $log)"

run_make() {
  env CARGO_HOME="$cargo_home" PATH="$cargo_home/bin:$path_without_cargo" \
    RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" \
    INCIDENT_CHANNELS_BUILD_ROOT="$work/build" JUPYTER_DATA_DIR="$work/jupyter" PIP_CACHE_DIR="$pip_cache" \
    make 2>&1 | while IFS= read -r line; do printf '%(%s)T %s\n' -1 "$line"; done
}

start=$(date +%s)
status=0
run_make > "$log" || status=$?
end=$(date +%s)
if [ "$status" != 0 ]; then
  tail -20 "$log"
  echo "fresh_setup: make failed; see $log" >&2
  exit 1
fi

# Phases, from the lines each step prints.
first() { grep -m1 -E "$1" "$log" | cut -d' ' -f1; }
since() { echo $(($2 - $1)); }
evcxr_from=$(first 'installing evcxr_jupyter') evcxr_to=$(first 'Installed package .evcxr_jupyter')
build_from=$(first 'shared-build.toml build') build_to=$(first 'Finished .dev. profile')
notebooks_from=$(first 'run_notebooks.py') first_done=$(first 'executed 01-')
notebooks_to=$(first 'executed 04-')
echo
printf '%-44s %8s\n' phase seconds
row() { [ -n "$2" ] && [ -n "$3" ] && printf '%-44s %8d\n' "$1" "$(since "$2" "$3")"; true; }
row "set-up before evcxr (venv starts, mold)" "$start" "$evcxr_from"
row "evcxr_jupyter install (venv alongside)" "$evcxr_from" "$evcxr_to"
row "kernelspecs, wait for the venv" "$evcxr_to" "$build_from"
row "build: polars and the CLI" "$build_from" "$build_to"
row "first notebook (kernel start, this crate)" "$notebooks_from" "$first_done"
row "the other three notebooks" "$first_done" "$notebooks_to"
row "publish, report" "$notebooks_to" "$end"
total=$((end - start))
printf '%-44s %8d  (%dm%02ds)\n' "make, total" "$total" $((total / 60)) $((total % 60))
polars_builds=$(find "$work/build" -name 'libpolars_core-*.rlib' | wc -l)
echo "polars-core compiled $(grep -c 'Compiling polars-core ' "$log" || true) time(s) by make's build;" \
  "libpolars_core builds in the build folder: $polars_builds"
if [ "$polars_builds" != 1 ]; then
  echo "fresh_setup: polars was compiled $polars_builds times; the kernel did not reuse make's build" >&2
  exit 1
fi

again=$(date +%s)
run_make > "$work/make-again.log"
changes="$(git status --porcelain)"
echo "make again: $(($(date +%s) - again)) s; git status after it:" "${changes:-clean}"
[ -z "$changes" ]
