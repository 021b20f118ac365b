"""Execute notebooks with the Rust (evcxr) kernel, headless.

    python scripts/run_notebooks.py [--out DIR] [--timings FILE] [NOTEBOOK ...]

Without --out the notebooks are updated in place (the committed showcase); with it the
executed copies go there. Fails on the first cell error, and on anything a cell writes to
stderr: evcxr reports panics and `?` errors there without failing the cell.

The kernel is the notebooks' own, `incident-channels` (scripts/kernel.sh, installed by
scripts/setup.sh): evcxr building in a lasting folder under /var/tmp/incident-channels,
so only the first run compiles polars, with one folder per running kernel. (Not under
the home folder: there evcxr's libraries fail to load when rustup lives in the home
folder too, as the relative library path it gives them then points one level too high.)
"""
import argparse
import json
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = pathlib.Path(__file__).resolve().parent.parent
KERNEL = "incident-channels"


class NotebookFailed(Exception):
    pass


def stderr_outputs(nb):
    """Cells that wrote to stderr. evcxr reports both panics and errors returned with `?`
    there without failing the cell, so any stderr output counts as a failure."""
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr" and out.get("text", "").strip():
                yield index + 1, out["text"].strip().splitlines()[0]


def cell_seconds(cell):
    """Wall time of one executed cell, from nbclient's timing record."""
    from datetime import datetime

    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
    return (parse(end) - parse(start)).total_seconds()


def clean(nb):
    """Drop what changes on every run, so that committed notebooks diff cleanly."""
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("widgets", None)


def execute(path, out_path, timings):
    nb = nbformat.read(path, as_version=4)
    started = time.monotonic()
    client = NotebookClient(
        nb,
        kernel_name=nb.metadata.get("kernelspec", {}).get("name", KERNEL),
        timeout=3600,
        startup_timeout=180,
        record_timing=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()
    except CellExecutionError as err:
        # evcxr puts the compiler's message in the error value, not in the cell source
        # that nbclient quotes: show both.
        raise NotebookFailed(f"{path.name}: a cell failed:\n{err}\n{err.ename}: {err.evalue}") from None
    found = list(stderr_outputs(nb))
    if found:
        cell, line = found[0]
        raise NotebookFailed(f"{path.name}: cell {cell} failed: {line}")
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    timings[path.name] = {
        "total_seconds": round(time.monotonic() - started, 1),
        "cells": [
            {"cell": i + 1, "seconds": cell_seconds(c), "source": c.source.splitlines()[0] if c.source else ""}
            for i, c in enumerate(code_cells)
        ],
    }
    clean(nb)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_path)
    print(f"executed {path.name} in {timings[path.name]['total_seconds']} s -> {out_path}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, help="write executed copies here instead of in place")
    parser.add_argument("--timings", type=pathlib.Path, help="write per-cell timings (JSON) here")
    args = parser.parse_args()

    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    timings = {}
    try:
        for nb in notebooks:
            nb = nb.resolve()
            execute(nb, (args.out / nb.name) if args.out else nb, timings)
    except NotebookFailed as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        if args.timings:
            args.timings.write_text(json.dumps(timings, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
