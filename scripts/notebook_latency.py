"""Notebook latency with the Rust kernel, the way 01-issue-channels starts: kernel start,
the setup cell (`:dep`, the prelude, the parameters), loading the sample, a first
DataFrame, the post's figures, a plot, then typical cells.

    .venv/bin/python scripts/notebook_latency.py [--runs 3] [--link static]

Uses the notebooks' kernel and its lasting build folder, so `:dep` here is the warm case;
the cold case is the first execution on a new machine (see README).
`--link static` depends on the plain crate instead of `notebooks/dylib`, for comparison.
"""
import argparse
import pathlib
import statistics
import sys
import time

from jupyter_client.manager import start_new_kernel

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from run_notebooks import KERNEL  # noqa: E402

DEPS = {
    "dylib": ':dep incident-channels = { package = "incident-channels-dylib", path = "dylib" }',
    "static": ':dep incident-channels = { path = ".." }',
}

# (name, code, on the way to the first plot)
STEPS = [
    ("setup cell (:dep warm, prelude, parameters)", "{dep}\nuse incident_channels::prelude::*;\nlet export: &str = \"../data/sample\";", True),
    ("load the sample", "let ws: Workspace = load(export)?;", True),
    ("first DataFrame", "let channels: DataFrame = channels_frame(&ws)?;\nchannels.table_rows(5)", True),
    ("the post's figures", "let figures: PostFigures = PostFigures::from_workspace(&ws, &PostOptions::default())?;\nfigures", True),
    ("plot", "figures.open_chart()", True),
    ("typical cell: a polars query", 'channels.clone().lazy().filter(col("is_archived")).collect()?.table_rows(3)', False),
    ("typical cell: a chart", "figures.open_chart()", False),
    ("a cell ending in a bare number", "figures.active", False),
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


def one_run(setup, dep):
    started = time.monotonic()
    km, kc = start_new_kernel(kernel_name=KERNEL, startup_timeout=180, cwd=str(ROOT / "notebooks"))
    try:
        times = {"kernel start": time.monotonic() - started}
        if setup:
            times[f"{setup}"] = run(kc, setup)
        to_plot = sum(times.values())
        for name, code, on_the_way in STEPS:
            times[name] = run(kc, code.replace("{dep}", dep))
            to_plot += times[name] if on_the_way else 0
        times["kernel restart to first plot"] = to_plot
        return times
    finally:
        km.shutdown_kernel(now=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--setup", default="", help="evcxr commands to run before :dep, e.g. ':opt 0'")
    parser.add_argument("--link", choices=sorted(DEPS), default="dylib")
    args = parser.parse_args()
    runs = [one_run(args.setup, DEPS[args.link]) for _ in range(args.runs)]
    print(f"{'step':46} {'median s':>9} {'min s':>7} {'max s':>7}")
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"{key:46} {statistics.median(values):9.2f} {min(values):7.2f} {max(values):7.2f}")


if __name__ == "__main__":
    main()
