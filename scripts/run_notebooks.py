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
from queue import Empty

import nbformat
from nbclient import NotebookClient
from nbclient.util import ensure_async
from nbclient.exceptions import CellExecutionError

ROOT = pathlib.Path(__file__).resolve().parent.parent
KERNEL = "incident-channels"


class NotebookFailed(Exception):
    pass


class EvcxrClient(NotebookClient):
    """nbclient, waiting a moment after each cell for printed lines that come late.

    evcxr can report a cell idle before the lines it printed reach Jupyter (evcxr issue
    #353): nbclient then drops them as not of the cell it runs next, and the cell shows
    no output. After each cell, messages are read until none comes for LATE_SECONDS, and
    the cell's late stream lines go where they would have: into its stream, ahead of its
    value."""

    LATE_SECONDS = 0.25

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_cell_executed = self._remember_request
        self._request_id = None

    def _remember_request(self, cell, cell_index, execute_reply):
        self._request_id = execute_reply["parent_header"].get("msg_id")

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if self._request_id is None:  # not run: markdown, or an empty code cell
            return cell
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=self.LATE_SECONDS))
            except Empty:
                break
            if msg["msg_type"] != "stream" or msg["parent_header"].get("msg_id") != self._request_id:
                continue
            name, text = msg["content"]["name"], msg["content"]["text"]
            stream = next((o for o in cell.outputs if o.get("output_type") == "stream" and o.get("name") == name), None)
            if stream is not None:
                stream["text"] += text
            else:
                cell.outputs.insert(0, nbformat.v4.new_output("stream", name=name, text=text))
        self._request_id = None
        return cell


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
