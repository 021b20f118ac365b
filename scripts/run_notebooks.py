"""Execute notebooks with the Rust (evcxr) kernel, headless.

    python scripts/run_notebooks.py [--out DIR] [-p NAME VALUE ...] [--timings FILE] [NOTEBOOK ...]

Without --out the notebooks are updated in place (the committed showcase); with it the
executed copies go there and the notebooks stay as they are. Each `-p NAME VALUE` sets a
parameter as papermill does (`-p export ~/acme.zip -p tz Europe/Berlin`): a cell that
re-binds it is injected after the cell tagged `parameters`. Values that read as numbers
or true/false are those; a value naming an existing file or folder (relative to where
you run this) is passed as its absolute path, since the kernel runs in notebooks/.

Fails on the first cell error, and on anything a cell writes to stderr: evcxr reports
panics and `?` errors there without failing the cell.

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
from nbclient.exceptions import CellExecutionError

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python"))
from incident_channels_nb.client import EvcxrClient  # noqa: E402

KERNEL = "incident-channels"


class NotebookFailed(Exception):
    pass


def parameter_value(text):
    """A `-p` value as papermill's command line reads it, with paths made absolute."""
    if text in ("True", "true"):
        return True
    if text in ("False", "false"):
        return False
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    path = pathlib.Path(text).expanduser()
    if text and path.exists():
        return str(path.resolve())
    return text


def with_parameters(nb, parameters):
    """`nb` with papermill's injected-parameters cell for `parameters` (Rust `let`s)."""
    from papermill.parameterize import parameterize_notebook

    from incident_channels_nb.translator import register

    register()
    # What papermill's own run sets up before it injects: its metadata, every cell's tags.
    nb.metadata.setdefault("papermill", {})
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
    kernel = nb.metadata.get("kernelspec", {}).get("name", KERNEL)
    return parameterize_notebook(nb, parameters, kernel_name=kernel, language="rust")


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


def execute(path, out_path, timings, parameters=None):
    nb = nbformat.read(path, as_version=4)
    if parameters:
        nb = with_parameters(nb, parameters)
    started = time.monotonic()
    client = EvcxrClient(
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
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="set a notebook parameter (export, convention, tz, as_of, ...)")
    args = parser.parse_args()
    parameters = {name: parameter_value(value) for name, value in args.parameter}
    if parameters and not args.out:
        parser.error("-p needs --out: the committed notebooks are executed with their own defaults")

    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    timings = {}
    try:
        for nb in notebooks:
            nb = nb.resolve()
            execute(nb, (args.out / nb.name) if args.out else nb, timings, parameters)
    except NotebookFailed as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        if args.timings:
            args.timings.write_text(json.dumps(timings, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
