#!/usr/bin/env bash
# Installs what the notebooks need, skipping whatever is already there:
# evcxr's Jupyter kernel, mold (a fast linker evcxr picks up), a Python venv with
# Jupyter and papermill (with the project's Rust translator), and the kernelspecs. With
# --test, also Chromium for the page test, Jekyll with the minima theme for the blog build
# test, and Vega with Vega-Lite (npm) for the charts' specs; with --interactive, only the
# latter, for `publish --interactive`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    say "please install $* (Debian: apt-get install $*); continuing without"
    return 0
  fi
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -q >/dev/null
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

# The venv downloads while evcxr compiles: one waits on the network, the other on the CPU.
venv_pid=""
venv_log="${TMPDIR:-/tmp}/incident-channels-venv.$$.log"
if ! .venv/bin/python -c "import nbclient, nbconvert, jupyterlab, pytest, PIL, websocket, pandas, polars, papermill, incident_channels_nb.papermill_rust" 2>/dev/null; then
  say "creating .venv with Jupyter (in the background)"
  {
    python3 -m venv .venv &&
      .venv/bin/pip install -q --upgrade pip &&
      .venv/bin/pip install -q -r requirements.txt
  } > "$venv_log" 2>&1 &
  venv_pid=$!
fi

# mold first: evcxr's own link then takes seconds, not a minute.
command -v mold >/dev/null || { say "installing mold"; apt_install mold; }

if ! command -v evcxr_jupyter >/dev/null; then
  say "installing evcxr_jupyter (about 10 minutes on 2 cores)"
  # opt-level 2 rather than 3: it compiles faster.
  install=(cargo install --locked --config profile.release.opt-level=2 evcxr_jupyter)
  if command -v mold >/dev/null; then
    mold -run "${install[@]}"
  else
    "${install[@]}"
  fi
fi

if [ -n "$venv_pid" ]; then
  if ! wait "$venv_pid"; then
    cat "$venv_log" >&2
    say "creating .venv failed (above)"
    exit 1
  fi
  say "venv ready"
fi
rm -f "$venv_log"

kernels="${JUPYTER_DATA_DIR:-$HOME/.local/share/jupyter}/kernels"
if [ ! -f "$kernels/rust/kernel.json" ] || ! grep -q "$(command -v evcxr_jupyter)" "$kernels/rust/kernel.json"; then
  say "installing the rust kernelspec"
  evcxr_jupyter --install >/dev/null
fi
# The notebooks' own kernel: evcxr through scripts/kernel.sh, which gives each running
# kernel a lasting build folder of its own.
if ! grep -qF "\"$PWD/scripts/kernel.sh\"" "$kernels/incident-channels/kernel.json" 2>/dev/null; then
  say "installing the incident-channels kernelspec"
  mkdir -p "$kernels/incident-channels"
  cp "$kernels/rust/"logo-* "$kernels/incident-channels/" 2>/dev/null || true
  .venv/bin/python - "$PWD/scripts/kernel.sh" "$kernels/incident-channels/kernel.json" <<'PY'
import json, sys
spec = {
    "argv": [sys.argv[1], "--control_file", "{connection_file}"],
    "display_name": "Rust (incident-channels)",
    "language": "rust",
    "interrupt_mode": "message",
}
with open(sys.argv[2], "w") as f:
    json.dump(spec, f, indent=2)
PY
fi

# evcxr's lasting build folder (EVCXR_TMPDIR), and beside it a Cargo config that cargo
# finds from there: scripts/shared-build.toml, so that the kernel builds polars exactly as
# the Makefile does (one build for both), and the crate evcxr makes of each cell ("ctx")
# without optimisation: it only glues calls into the optimised library, and -O0 halves
# its compile. Cargo runs what such a config names, so the folder must be ours and closed
# to others. (The same folder scripts/kernel.sh builds in.)
build_root="${INCIDENT_CHANNELS_BUILD_ROOT:-/var/tmp/incident-channels}"
mkdir -p "$build_root/evcxr" "$build_root/.cargo"
if [ ! -O "$build_root" ] || [ ! -O "$build_root/.cargo" ]; then
  say "$build_root belongs to another user: the notebooks' kernel will build polars again"
else
  chmod 700 "$build_root" "$build_root/.cargo"
  config="$build_root/.cargo/config.toml"
  wanted="# Managed by incident-channels scripts/setup.sh (rewritten when it differs).
$(cat scripts/shared-build.toml)

[profile.dev.package.ctx]
opt-level = 0"
  if [ "$(cat "$config" 2>/dev/null)" != "$wanted" ]; then
    if [ -e "$config" ] && ! grep -q "^# Managed by incident-channels" "$config"; then
      say "$config was not written by setup; leaving it as it is"
    else
      say "configuring the notebooks' build"
      printf '%s\n' "$wanted" > "$config"
    fi
  fi
fi

if [ "${1:-}" = "--test" ] && ! command -v chromium >/dev/null; then
  say "installing chromium (for the published-page test)"
  apt_install chromium
fi
# A real blog to build the published posts in: Jekyll 4 and the minima theme, Debian's.
if [ "${1:-}" = "--test" ] && ! { command -v jekyll >/dev/null && [ -d /usr/share/rubygems-integration/all/gems ] && ls /usr/share/rubygems-integration/all/gems | grep -q '^minima-'; }; then
  say "installing jekyll and the minima theme (for the blog build test)"
  apt_install jekyll jekyll-theme-minima
fi
# Vega and Vega-Lite, the versions JupyterLab bundles, pinned by assets/vega's lock file:
# the tests check the charts' specs with them, and `publish --interactive` copies their
# builds into a site (Node.js and npm come with the machine).
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--interactive" ]; then
  if ! cmp -s assets/vega/package-lock.json assets/vega/node_modules/.installed-from-lock; then
    say "installing vega and vega-lite (for interactive posts and the charts' spec check)"
    npm ci --prefix assets/vega --no-audit --no-fund --loglevel=error
    cp assets/vega/package-lock.json assets/vega/node_modules/.installed-from-lock
  fi
fi
say "ready"
