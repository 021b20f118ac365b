"""Every notebook, executed headless with the real evcxr kernel; the post's figures in
notebook 01; publishing it as a Jekyll post and as a page that a browser shows."""
import json
import math
import os
import pathlib
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import run_notebooks  # noqa: E402

# The CLI `make` built (in the kernel's build folder); a plain `cargo build` otherwise.
BIN = pathlib.Path(os.environ.get("INCIDENT_CHANNELS_BIN") or ROOT / "target" / "debug" / "incident-channels")
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="session")
def executed(tmp_path_factory):
    """Each notebook executed into a temporary folder, with per-cell timings."""
    out = tmp_path_factory.mktemp("executed")
    timings, failures = {}, {}
    for nb in NOTEBOOKS:
        try:
            run_notebooks.execute(nb, out / nb.name, timings)
        except run_notebooks.NotebookFailed as err:
            failures[nb.name] = str(err)
    (ROOT / "target").mkdir(exist_ok=True)
    (ROOT / "target" / "notebook-timings.json").write_text(json.dumps(timings, indent=2))
    return out, failures


def outputs_text(nb):
    """All text a reader sees in the outputs, in order."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "text" in out:
                parts.append(out["text"])
            for mime in ("text/plain", "text/html"):
                if mime in out.get("data", {}):
                    parts.append(out["data"][mime])
    return "\n".join(parts)


@pytest.mark.parametrize("name", [nb.name for nb in NOTEBOOKS])
def test_notebook_runs_without_errors(executed, name):
    out, failures = executed
    assert name not in failures, failures.get(name)
    nb = nbformat.read(out / name, as_version=4)
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o["output_type"] != "error", o
            assert o.get("name") != "stderr", o["text"]


def test_notebooks_are_committed_with_outputs():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
        with_outputs = [c for c in code if c.get("outputs")]
        assert with_outputs, f"{path.name} is committed without outputs"
        assert nb.metadata.get("kernelspec", {}).get("name") == run_notebooks.KERNEL, path.name


def test_post_figures_in_notebook_01(executed):
    out, failures = executed
    assert "01-issue-channels.ipynb" not in failures
    nb = nbformat.read(out / "01-issue-channels.ipynb", as_version=4)
    text = outputs_text(nb)
    for figure in [
        "207 incident channels",
        "First issue channel: 2016-03-11 06:55:23",
        "Last issue channel: 2017-03-23 00:43:10",
        "Average number of issue channels per month: 16",
        "3 channels are still open",
        "Worst day: 2016-08-09",
        "Issue channels created that day: 6",
    ]:
        assert figure in text, figure
    svgs = [o for c in nb.cells for o in c.get("outputs", []) if "image/svg+xml" in o.get("data", {})]
    assert svgs, "the open-channels plot is an inline SVG"
    assert "<svg" in svgs[0]["data"]["image/svg+xml"]
    tables = [o for c in nb.cells for o in c.get("outputs", []) if "<table" in o.get("data", {}).get("text/html", "")]
    assert len(tables) >= 3, "DataFrames show as HTML tables"
    # The figures as queries agree with the report's.
    figures = report()
    span = tables_with(nb, "channels", "first", "last", "average_per_month")[0]
    assert (int(span[0]["channels"]), int(span[0]["average_per_month"])) == \
        (figures["issue_channels"], figures["average_per_month"])
    busiest = tables_with(nb, "day", "channels")[0]
    assert busiest[0] == {"day": figures["worst_days"][0], "channels": str(figures["worst_day_count"])}
    curve = tables_with(nb, "t", "open")[0]
    assert [int(r["open"]) for r in curve] == [p["open"] for p in figures["open_over_time_monthly"]]


def executed_text(executed, name):
    out, failures = executed
    assert name not in failures, failures.get(name)
    return nbformat.read(out / name, as_version=4)


def svg_count(nb):
    return sum(1 for c in nb.cells for o in c.get("outputs", []) if "image/svg+xml" in o.get("data", {}))


def tables(nb):
    """Every table a notebook shows, as a list of rows (dicts), read from its plain-text
    form: columns are separated by two or more spaces."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "<table" not in data.get("text/html", "") or "text/plain" not in data:
                continue
            lines = data["text/plain"].splitlines()[:-1]  # the last line is the shape
            header = re.split(r"\s{2,}", lines[0].strip())
            found.append([dict(zip(header, re.split(r"\s{2,}", line.strip()))) for line in lines[1:]])
    return found


def tables_with(nb, *columns):
    """The tables whose first columns are `columns`, in the notebook's order."""
    found = [t for t in tables(nb) if t and list(t[0])[: len(columns)] == list(columns)]
    assert found, f"no table starting with {columns}"
    return found


def report(*args):
    result = subprocess.run([str(BIN), "report", str(ROOT / "data" / "sample"), "--json", *args],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_metrics_notebook_queries_match_the_report(executed):
    """The notebook's queries are the library's: their tables show the report's numbers."""
    nb = executed_text(executed, "02-incident-metrics.ipynb")
    metrics = report("--tz", "Asia/Kolkata")["metrics"]
    whole, production = tables_with(nb, "archived", "open_excluded", "median", "p90")[:2]
    tta = metrics["time_to_archive_hours"]
    assert (int(whole[0]["archived"]), int(whole[0]["open_excluded"])) == (tta["count"], tta["open_excluded"]) == (204, 3)
    assert whole[0]["median"] == f"{tta['median']:.2f}" and whole[0]["p90"] == f"{tta['p90']:.2f}"
    assert 0 < int(production[0]["archived"]) < 204, "the production-only tweak filters"
    by_type = tables_with(nb, "type", "incidents")[0]
    assert [(r["type"], int(r["incidents"])) for r in by_type] == \
        [(r["type"], r["incidents"]) for r in metrics["by_type"]]
    months = tables_with(nb, "month", "created", "archived")[0]
    assert [(r["month"], int(r["created"]), int(r["archived"])) for r in months] == \
        [(r["month"], r["created"], r["archived"]) for r in metrics["created_vs_archived_per_month"][:len(months)]]
    ages = tables_with(nb, "age", "open_channels")[0]
    assert [int(r["open_channels"]) for r in ages] == [r["open_channels"] for r in metrics["open_ages"]]
    load = tables_with(nb, "responder", "working_hours")[0]
    busiest = load[0]["responder"]
    assert float(load[0]["working_hours"]) == round(metrics["responders_load_hours"][busiest]["working_hours"], 1)
    periods = tables_with(nb, "period", "incidents")[0]
    last = metrics["last_30_days_vs_previous"]
    assert [int(r["incidents"]) for r in periods] == [last["this_created"], last["previous_created"]]
    weekly = tables_with(nb, "t", "open")[0]
    assert len(weekly) == 13, "twelve weeks and now"
    assert svg_count(nb) >= 6, "histogram, share archived, monthly bars, per-day steps, heat map, load"


def test_audit_notebook_finds_the_planted_lapses(executed):
    nb = executed_text(executed, "03-sop-audit.ipynb")
    text = outputs_text(nb)
    audit = report()["audit"]
    assert f"{audit['named_by_convention']} of 207 channels follow the convention" in text
    assert f"{audit['with_long_silence']} channels had a silence over 30 minutes while hot" in text
    assert f"set later than 15 minutes: {audit['topic_late']} channels" in text
    statuses = {r["topic_status"]: int(r["channels"]) for r in tables_with(nb, "topic_status", "channels")[0]}
    assert statuses["both owners"] == audit["topic_with_both_owners"]
    assert statuses["no topic"] == audit["no_topic"] > 0
    assert statuses["one owner"] == audit["topic_with_one_owner"] > 0
    assert "issue-login-1902" in text, "the channel waiting for its post-mortem"
    headline = tables_with(nb, "channels", "named_by_convention")[0][0]
    assert {k: v for k, v in headline.items() if k != "median_minutes_to_topic"} == \
        {k: str(v) for k, v in audit.items() if k in headline and k != "median_minutes_to_topic"}
    silences = tables_with(nb, "name", "updates_in_window", "longest_silence_minutes", "timers_missed")[0]
    for row in silences:
        # Rings of the timer strictly inside the silence: ceil(minutes / 10) - 1, from
        # minutes shown to two decimals (either side of a multiple of 10 when that close).
        shown = float(row["longest_silence_minutes"])
        expected = {max(0, math.ceil(m / 10) - 1) for m in (shown - 0.005, shown + 0.005)}
        assert int(row["timers_missed"]) in expected, row


def test_workspace_notebook_syncs_through_the_emulator(executed):
    text = outputs_text(executed_text(executed, "04-your-workspace.ipynb"))
    assert "207 histories fetched" in text
    assert "204 archived channels unchanged, 0 new messages" in text
    assert "Incident channels (#issue-*): 207" in text
    assert "token_outside_header: 0" in text


def outputs_of(nb):
    """What a reader sees of each cell: its outputs, without execution counts."""
    return [[{k: v for k, v in o.items() if k != "execution_count"} for o in c.get("outputs", [])]
            for c in nb.cells]


@pytest.mark.parametrize("name", [nb.name for nb in NOTEBOOKS])
def test_committed_notebook_is_what_a_run_gives(executed, name):
    """Running a notebook again gives the committed outputs: no wall-clock times, ports or
    debug dumps in them, and the committed showcase is up to date with the code."""
    out, failures = executed
    assert name not in failures, failures.get(name)
    fresh = nbformat.read(out / name, as_version=4)
    committed = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    assert [c.source for c in fresh.cells] == [c.source for c in committed.cells]
    for i, (a, b) in enumerate(zip(outputs_of(fresh), outputs_of(committed))):
        assert a == b, f"{name} cell {i + 1}: outputs differ from the committed notebook (run `make notebooks`)"


def test_cells_share_one_polars(tmp_path):
    """The notebooks' setup links the library as one shared library, so a frame's schema
    cached by one cell can be searched by the next. (With a copy of polars per cell, each
    with its own hash seed, the second lookup fails with "column not found".)"""
    first = nbformat.read(NOTEBOOKS[0], as_version=4)
    setup = next(c.source for c in first.cells if c.cell_type == "code")
    setup = setup.replace('path = "dylib"', f'path = "{ROOT / "notebooks" / "dylib"}"')
    setup = setup.replace('"../data/sample"', f'"{ROOT / "data" / "sample"}"')
    assert str(ROOT / "notebooks" / "dylib") in setup, "notebook 01 no longer starts with the dylib"
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": first.metadata["kernelspec"]})
    nb.cells = [
        nbformat.v4.new_code_cell(setup),
        nbformat.v4.new_code_cell('let channels: DataFrame = channels_frame(&load(export)?)?;\nchannels.column("name")?.len()'),
        nbformat.v4.new_code_cell('channels.column("topic")?.len()'),
    ]
    path = tmp_path / "shared-polars.ipynb"
    nbformat.write(nb, path)
    run_notebooks.execute(path, path, {})
    done = nbformat.read(path, as_version=4)
    counts = [o["data"]["text/plain"] for c in done.cells[1:] for o in c.outputs if "data" in o]
    assert counts == ["215", "215"], counts


def result_of(kc, code):
    """The text/plain result of one cell run in a kernel."""
    results = []

    def keep(msg):
        if msg["msg_type"] == "execute_result":
            results.append(msg["content"]["data"]["text/plain"])

    reply = kc.execute_interactive(code, timeout=120, output_hook=keep)
    assert reply["content"]["status"] == "ok", reply
    return results[-1]


def test_two_kernels_at_once_build_in_folders_of_their_own():
    """Two evcxr kernels building in one folder break each other; the notebooks' kernel
    gives each running kernel its own lasting folder."""
    from jupyter_client.manager import start_new_kernel

    kernels = [start_new_kernel(kernel_name=run_notebooks.KERNEL, startup_timeout=120) for _ in range(2)]
    try:
        folders = [result_of(kc, 'std::env::var("EVCXR_TMPDIR").unwrap()') for _, kc in kernels]
    finally:
        for km, _ in kernels:
            km.shutdown_kernel(now=True)
    root = os.environ.get("INCIDENT_CHANNELS_BUILD_ROOT") or "/var/tmp/incident-channels"
    assert all(f.startswith(f'"{root}/evcxr') for f in folders), folders
    assert folders[0] != folders[1], folders


def publish(notebook, site, *extra):
    return subprocess.run([str(BIN), "publish", str(notebook), "--out", str(site), *extra],
                          capture_output=True, text=True)


def test_publishing_01(executed, tmp_path):
    out, _ = executed
    site = tmp_path / "site"
    result = publish(out / "01-issue-channels.ipynb", site)
    assert result.returncode == 0, result.stderr
    post = site / "_posts" / "2017-03-24-issue-channels.md"
    text = post.read_text()
    front = text.split("---")[1]
    for key in ("layout: \"post\"", "title: \"Incident channels, step by step\"", "description:", "category:", "tags: ["):
        assert key in front, key
    links = re.findall(r"\{\{ site.url \}\}/images/issue-channels/([\w.-]+)", text)
    assert links, "plots are referenced through {{ site.url }}"
    for name in links:
        assert (site / "images" / "issue-channels" / name).stat().st_size > 1000, name
    assert "<table" in text, "tables stay HTML"
    assert "```rust" in text, "code cells are shown"
    assert not re.search(r"xox[abpre]-", text)
    html = (site / "issue-channels.html").read_text()
    assert "<img" in html and "images/issue-channels/" in html

    hidden = publish(out / "01-issue-channels.ipynb", tmp_path / "clean", "--hide-inputs")
    assert hidden.returncode == 0, hidden.stderr
    assert "```rust" not in (tmp_path / "clean" / "_posts" / "2017-03-24-issue-channels.md").read_text()


def test_publishing_refuses_a_token(tmp_path):
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell('let token = "xoxb-1234567890-abcdefghij";'))
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nb, path)
    result = publish(path, tmp_path / "site")
    assert result.returncode != 0
    assert "cell 4" in result.stderr and "Slack token" in result.stderr
    assert "abcdefghij" not in result.stderr
    assert not (tmp_path / "site").exists()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (scripts/setup.sh --test)")
def test_published_page_shows_the_plot(executed, tmp_path):
    from PIL import Image, ImageStat

    out, _ = executed
    site = tmp_path / "site"
    assert publish(out / "01-issue-channels.ipynb", site).returncode == 0
    page = site / "issue-channels.html"
    shot = tmp_path / "page.png"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars", "--window-size=1000,9000",
         f"--screenshot={shot}", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    image = Image.open(shot).convert("L")
    assert ImageStat.Stat(image).stddev[0] > 10, "the page is not blank"
    # The plot is drawn in blue: find its pixels.
    rgb = Image.open(shot).convert("RGB")
    blue = sum(1 for r, g, b in getattr(rgb, "get_flattened_data", rgb.getdata)() if b > 150 and r < 80 and g < 150)
    assert blue > 500, f"the plot's line is visible ({blue} blue pixels)"
