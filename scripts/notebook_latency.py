"""Notebook latency with the Rust kernel: kernel start to first result, `:dep` of the
crate, the first DataFrame cell, a typical cell, and a plot.

    .venv/bin/python scripts/notebook_latency.py [--runs 3]

Uses the same lasting build folder as the notebooks (EVCXR_TMPDIR), so `:dep` here is
the warm case; the cold case is the first execution on a new machine (see README).
"""
import argparse
import os
import pathlib
import statistics
import sys
import time

from jupyter_client.manager import start_new_kernel

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from run_notebooks import DEFAULT_BUILD_DIR, build_dir_lock  # noqa: E402

STEPS = [
    ("first result (1 + 1)", "1 + 1"),
    (":dep incident-channels (warm)", ':dep incident-channels = { path = ".." }'),
    ("use the prelude", "use incident_channels::prelude::*;"),
    ("load + first DataFrame cell", 'let ws = load("../data/sample")?;\nlet channels = channels_frame(&ws)?;\nchannels.table_rows(5)'),
    ("typical cell (a figure)", 'let figures = PostFigures::from_workspace(&ws, &PostOptions::default())?;\nfigures.active'),
    ("typical cell (polars query)", 'channels.clone().lazy().filter(col("is_archived")).collect()?.height()'),
    ("plot cell", "figures.open_chart()"),
]


def run(kc, code):
    started = time.monotonic()
    msg_id = kc.execute(code)
    error = None
    while True:
        msg = kc.get_iopub_msg(timeout=3600)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            error = msg["content"].get("evalue")
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    if error:
        raise SystemExit(f"cell failed: {code!r}: {error}")
    return time.monotonic() - started


def one_run(setup):
    started = time.monotonic()
    km, kc = start_new_kernel(kernel_name="rust", startup_timeout=180, cwd=str(ROOT / "notebooks"))
    try:
        times = {"kernel start": time.monotonic() - started}
        if setup:
            times[f"{setup}"] = run(kc, setup)
        for name, code in STEPS:
            times[name] = run(kc, code)
        times["restart to first plot"] = sum(times.values())
        return times
    finally:
        km.shutdown_kernel(now=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--setup", default="", help="evcxr commands to run before :dep, e.g. ':opt 0'")
    args = parser.parse_args()
    os.environ.setdefault("EVCXR_TMPDIR", str(DEFAULT_BUILD_DIR))
    with build_dir_lock():
        runs = [one_run(args.setup) for _ in range(args.runs)]
    print(f"{'step':40} {'median s':>9} {'min s':>7} {'max s':>7}")
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"{key:40} {statistics.median(values):9.2f} {min(values):7.2f} {max(values):7.2f}")


if __name__ == "__main__":
    main()
