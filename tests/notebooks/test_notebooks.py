"""Every notebook, executed headless with the real evcxr kernel; the post's figures in
notebook 01; publishing it as a Jekyll post and as a page that a browser shows."""
import datetime
import json
import math
import os
import pathlib
import re
import shutil
import subprocess
import sys
import zoneinfo

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
    """Each notebook executed with its own defaults (the bundled sample) into a temporary
    folder, with per-cell timings."""
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


def write_json(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1))


def other_workspace(folder):
    """Another generated seed whose incident channels are `incident-<topic>-<ddmm>`, read
    with a regex convention: nothing in it is the sample's."""
    subprocess.run([str(BIN), "generate", "--seed", "7", "--out", str(folder)], check=True, capture_output=True)
    channels = json.loads((folder / "channels.json").read_text())
    for channel in channels:
        if channel["name"].startswith("issue-"):
            renamed = "incident-" + channel["name"][len("issue-"):]
            if (folder / channel["name"]).exists():
                (folder / channel["name"]).rename(folder / renamed)
            channel["name"] = renamed
    write_json(folder / "channels.json", channels)
    return folder


def tiny_workspace(folder):
    """Three incident channels, none archived, no summary, no owner in any topic."""
    users = [{"id": f"U{i}", "name": name, "real_name": name.title(), "deleted": False, "is_bot": False}
             for i, name in enumerate(["ana", "ben", "chen"])]
    base = 1_709_280_000  # 2024-03-01 08:00 UTC
    channels, days = [], {}
    for n, (name, hours) in enumerate([("issue-db-0103", 0), ("issue-api-0303", 50), ("issue-login-0403", 75)]):
        created = base + hours * 3600
        channels.append({"id": f"C{n}", "name": name, "created": created, "creator": "U0", "is_archived": False,
                         "is_general": False, "members": ["U0", "U1", "U2"],
                         "topic": {"value": "", "creator": "", "last_set": 0},
                         "purpose": {"value": "", "creator": "", "last_set": 0}})
        texts = [("U0", f"<@U0> has joined the channel", "channel_join"), ("U0", "something is wrong, <@U1> can you look?", None),
                 ("U1", "looking", None), ("U2", "escalating to @here", None)]
        messages = []
        for k, (user, text, subtype) in enumerate(texts):
            message = {"type": "message", "user": user, "text": text, "ts": f"{created + 60 * (k * 7)}.000100"}
            if subtype:
                message["subtype"] = subtype
            messages.append(message)
        day = datetime.datetime.fromtimestamp(created, datetime.timezone.utc).date()
        write_json(folder / name / f"{day}.json", messages)
    channels.append({"id": "CG", "name": "general", "created": base - 86400, "creator": "U0", "is_archived": False,
                     "is_general": True, "members": ["U0", "U1", "U2"],
                     "topic": {"value": "", "creator": "", "last_set": 0},
                     "purpose": {"value": "", "creator": "", "last_set": 0}})
    write_json(folder / "channels.json", channels)
    write_json(folder / "users.json", users)
    return folder


# Workspaces the notebooks run on through their parameters, besides their defaults:
# each with the report's options that read it the same way, and how it is run.
WORKSPACES = {
    "other": (other_workspace, {"convention": r"^incident-(?P<topic>.+)-(?P<date>\d{4})$", "tz": "America/New_York"},
              "make report"),
    "tiny": (tiny_workspace, {"convention": "issue-", "tz": "Asia/Kolkata"}, "run_notebooks"),
}


def report_options(parameters):
    convention = parameters.get("convention", "issue-")
    flag = ["--match", convention] if convention.startswith("^") else ["--prefix", convention]
    return [*flag, "--tz", parameters.get("tz", "UTC")]


def run_each_notebook(parameters, out):
    """`scripts/run_notebooks.py --out DIR -p …`: {notebook: failure}."""
    failures = {}
    for nb in NOTEBOOKS:
        try:
            run_notebooks.execute(nb, out / nb.name, {}, dict(parameters))
        except run_notebooks.NotebookFailed as err:
            failures[nb.name] = str(err)
    return failures


def make_report(export, parameters, report_dir):
    """The README's one command from an export to a site, on the export zipped:
    `make report EXPORT=….zip CONVENTION=… TZ=…`. {notebook: failure}; the site is
    checked by the caller."""
    archive = shutil.make_archive(str(export), "zip", export)
    result = subprocess.run(
        ["make", "--no-print-directory", "report", f"EXPORT={archive}", f"CONVENTION={parameters['convention']}",
         f"TZ={parameters['tz']}", f"REPORT_DIR={report_dir}"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if result.returncode == 0:
        return {}
    return {nb.name: result.stdout[-2000:] + result.stderr[-3000:] for nb in NOTEBOOKS
            if not (report_dir / "notebooks" / nb.name).exists() or "executed " + nb.name not in result.stdout}


@pytest.fixture(scope="session")
def on_workspaces(tmp_path_factory):
    """Every notebook executed on each workspace of WORKSPACES through its parameters:
    {name: (export, parameters, executed folder, failures)}."""
    runs = {}
    for name, (make, parameters, how) in WORKSPACES.items():
        root = tmp_path_factory.mktemp(name)
        export = make(root / "export")
        if how == "make report":
            failures = make_report(export, parameters, root / "report")
            out = root / "report" / "notebooks"
        else:
            out = root / "executed"
            failures = run_each_notebook({"export": str(export), "sync_to": str(root / "synced"), **parameters}, out)
        runs[name] = (export, {"export": str(export), **parameters}, out, failures)
    return runs


def test_make_report_publishes_a_site_of_its_own(on_workspaces):
    """`make report` leaves the four notebooks executed on the export and their posts,
    dated today in its zone, in its own folder; the committed notebooks are untouched."""
    export, parameters, out, failures = on_workspaces["other"]
    assert not failures, failures
    site = out.parent / "site"
    posts = sorted(p.name[len("YYYY-MM-DD-"):] for p in (site / "_posts").glob("*.md"))
    assert posts == sorted(nb.name[3:].replace(".ipynb", ".md") for nb in NOTEBOOKS)
    today = datetime.datetime.now(zoneinfo.ZoneInfo(parameters["tz"])).date().isoformat()
    assert all(p.name.startswith(today) for p in (site / "_posts").glob("*.md"))
    assert (out.parent / "sync").is_dir(), "04 synced into the report's folder"
    for nb in NOTEBOOKS:
        assert "injected-parameters" not in nb.read_text(), f"{nb.name} was changed in place"


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


def report(*args, export=ROOT / "data" / "sample"):
    result = subprocess.run([str(BIN), "report", str(export), "--json", *args],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def report_text(export, *args):
    return subprocess.run([str(BIN), "report", str(export), *args], capture_output=True, text=True,
                          check=True).stdout



def shown(value, decimals=2):
    """A figure of the report as a table shows it: nulls as (none), floats to 2 decimals."""
    if value is None:
        return "(none)"
    return f"{value:.{decimals}f}" if isinstance(value, float) else str(value)


def check_post_figures(nb, export, options):
    """Notebook 01's figures, as queries and from PostFigures, are the report's."""
    figures = report(*options, export=export)
    text = outputs_text(nb)
    n = figures["issue_channels"]
    assert f"{n} incident channels" in text
    assert f"Average number of issue channels per month: {figures['average_per_month'] or 0}" in text
    assert f"{figures['active']} channels are still open" in text
    assert f"Worst day: {', '.join(figures['worst_days'])}" in text
    assert f"Issue channels created that day: {figures['worst_day_count']}" in text
    svgs = [o for c in nb.cells for o in c.get("outputs", []) if "image/svg+xml" in o.get("data", {})]
    assert svgs and "<svg" in svgs[0]["data"]["image/svg+xml"], "the open-channels plot is an inline SVG"
    span = tables_with(nb, "channels", "first", "last", "average_per_month")[0]
    assert (int(span[0]["channels"]), int(span[0]["average_per_month"])) == (n, figures["average_per_month"])
    busiest = tables_with(nb, "day", "channels")[0]
    assert busiest[0] == {"day": figures["worst_days"][0], "channels": str(figures["worst_day_count"])}
    curve = tables_with(nb, "t", "open")[0]
    assert [int(r["open"]) for r in curve] == [p["open"] for p in figures["open_over_time_monthly"]]
    # The computed prose states the report's figures.
    assert f'counts {figures["open_over_time_monthly"][-1]["open"]}' in text or \
        f'{figures["active"]} open, the channels that are still open' in text
    return figures


def check_metrics(nb, export, options):
    """Notebook 02's queries are the library's: their tables show the report's numbers."""
    metrics = report(*options, export=export)["metrics"]
    whole, production = tables_with(nb, "archived", "open_excluded", "median", "p90")[:2]
    tta = metrics["time_to_archive_hours"]
    assert (int(whole[0]["archived"]), int(whole[0]["open_excluded"])) == (tta["count"], tta["open_excluded"])
    assert whole[0]["median"] == shown(tta["median"]) and whole[0]["p90"] == shown(tta["p90"])
    by_type = tables_with(nb, "type", "incidents")[0]
    assert [(r["type"], int(r["incidents"])) for r in by_type] == \
        [(r["type"], r["incidents"]) for r in metrics["by_type"]]
    # The notebook's period is a month by default: each period is its month's first day.
    months = tables_with(nb, "period", "created", "archived")[0]
    assert [(r["period"][:7], int(r["created"]), int(r["archived"])) for r in months] == \
        [(r["month"], r["created"], r["archived"]) for r in metrics["created_vs_archived_per_month"][:len(months)]]
    ages = tables_with(nb, "age", "open_channels")[0]
    assert [int(r["open_channels"]) for r in ages] == [r["open_channels"] for r in metrics["open_ages"]]
    load = tables_with(nb, "responder", "working_hours")[0]
    busiest = load[0]["responder"]
    assert float(load[0]["working_hours"]) == round(metrics["responders_load_hours"][busiest]["working_hours"], 1)
    periods = tables_with(nb, "period", "incidents", "median_hours_to_archive")[0]
    last = metrics["last_30_days_vs_previous"]
    assert [int(r["incidents"]) for r in periods] == [last["this_created"], last["previous_created"]]
    weekly = tables_with(nb, "t", "open")[0]
    assert len(weekly) == 13, "twelve weeks and now"
    check_sre_metrics(nb, metrics)
    return whole, production


def check_sre_metrics(nb, metrics):
    """02's phase, severity, estimate and recurrence tables are the report's figures."""
    phases = tables_with(nb, "phase", "unit", "incidents", "measured", "missing")[0]
    assert [r["phase"] for r in phases] == ["time_to_first_response", "time_to_resolve", "time_to_close",
                                            "postmortem_wait"]
    for row in phases:
        figures = metrics[row["phase"]]
        assert (int(row["measured"]), int(row["missing"])) == (figures["measured"], figures["missing"]), row
        assert (row["unit"], row["p50"], row["p90"]) == \
            (figures["unit"], shown(figures["p50"]), shown(figures["p90"])), row
    # The close phase is the post's time to archive.
    tta = metrics["time_to_archive_hours"]
    assert (metrics["time_to_close"]["p50"], metrics["time_to_close"]["measured"]) == (tta["median"], tta["count"])
    severity = tables_with(nb, "severity", "incidents", "written")[0]
    assert [(r["severity"], int(r["incidents"])) for r in severity] == \
        [(r["severity"], r["incidents"]) for r in metrics["by_severity"]]
    expected = metrics["estimate_accuracy"]
    if expected["estimates"]:  # a workspace without summaries has no estimate to table
        accuracy = tables_with(nb, "severity", "estimates", "unknown")[0]
        assert sum(int(r["held"]) for r in accuracy) == expected["held"]
        assert sum(int(r["estimates"]) for r in accuracy) == expected["estimates"]
    recurring = tables_with(nb, "recurrence_key", "incidents", "recurrences")[0]
    assert [(r["recurrence_key"], int(r["recurrences"])) for r in recurring[:5]] == \
        [(r["recurrence_key"], r["recurrences"]) for r in metrics["recurrence"]["top"]]


def check_audit(nb, export, options):
    """Notebook 03's headline, statuses and silences are the report's audit."""
    audit = report(*options, export=export)["audit"]
    text = outputs_text(nb)
    assert f"{audit['named_by_convention']} of {audit['channels']} channels follow the convention" in text
    assert f"channels had a silence over 30 minutes while hot" in text
    assert f"{audit['with_long_silence']} channels had a silence over 30 minutes while hot" in text
    assert f"set later than 15 minutes: {audit['topic_late']} channels" in text
    statuses = {r["topic_status"]: int(r["channels"]) for r in tables_with(nb, "topic_status", "channels")[0]}
    for status, key in [("both owners", "topic_with_both_owners"), ("one owner", "topic_with_one_owner"),
                        ("no topic", "no_topic")]:
        assert statuses.get(status, 0) == audit[key], status
    headline = tables_with(nb, "channels", "named_by_convention")[0][0]
    assert {k: v for k, v in headline.items() if k != "median_minutes_to_topic"} == \
        {k: shown(v) for k, v in audit.items() if k in headline and k != "median_minutes_to_topic"}
    for row in tables_with(nb, "name", "updates_in_window", "longest_silence_minutes", "timers_missed")[0]:
        # Rings of the timer strictly inside the silence: ceil(minutes / 10) - 1, from
        # minutes shown to two decimals (either side of a multiple of 10 when that close).
        minutes = float(row["longest_silence_minutes"])
        expected = {max(0, math.ceil(m / 10) - 1) for m in (minutes - 0.005, minutes + 0.005)}
        assert int(row["timers_missed"]) in expected, row
    assert f"{audit['named_by_convention']} of {audit['channels']} channels follow the naming convention" in text
    return audit


def check_sync(nb, export, options):
    """Notebook 04 syncs every incident channel through the emulator, then only what can
    have changed, and reads the same figures from what it wrote."""
    text = outputs_text(nb)
    figures = report(*options, export=export)
    archived = figures["issue_channels"] - figures["active"]
    assert f"{figures['issue_channels']} histories fetched" in text
    assert f"{archived} archived channels unchanged, 0 new messages" in text
    assert f"sync: {figures['issue_channels']}/{figures['issue_channels']} channels" in text, "progress shows"
    assert report_text(export, *options).splitlines()[0] in text
    assert "token_outside_header: 0" in text


CHECKS = {
    "01-issue-channels.ipynb": check_post_figures,
    "02-incident-metrics.ipynb": check_metrics,
    "03-sop-audit.ipynb": check_audit,
    "04-your-workspace.ipynb": check_sync,
}


def test_post_figures_in_notebook_01(executed):
    nb = executed_text(executed, "01-issue-channels.ipynb")
    figures = check_post_figures(nb, ROOT / "data" / "sample", [])
    # The post's own figures, on the bundled sample.
    assert (figures["issue_channels"], figures["first_created"], figures["last_created"]) == \
        (207, "2016-03-11T06:55:23Z", "2017-03-23T00:43:10Z")
    text = outputs_text(nb)
    for figure in ["First issue channel: 2016-03-11 06:55:23", "Last issue channel: 2017-03-23 00:43:10",
                   "Average number of issue channels per month: 16", "3 channels are still open",
                   "Worst day: 2016-08-09", "Issue channels created that day: 6"]:
        assert figure in text, figure
    tables_shown = [o for c in nb.cells for o in c.get("outputs", []) if "<table" in o.get("data", {}).get("text/html", "")]
    assert len(tables_shown) >= 3, "DataFrames show as HTML tables"


def test_metrics_notebook_queries_match_the_report(executed):
    nb = executed_text(executed, "02-incident-metrics.ipynb")
    whole, production = check_metrics(nb, ROOT / "data" / "sample", [])
    assert (int(whole[0]["archived"]), int(whole[0]["open_excluded"])) == (204, 3)
    assert 0 < int(production[0]["archived"]) < 204, "the production-only tweak filters"
    assert svg_count(nb) >= 6, "histogram, share archived, monthly bars, per-day steps, heat map, load"


def test_audit_notebook_finds_the_planted_lapses(executed):
    nb = executed_text(executed, "03-sop-audit.ipynb")
    audit = check_audit(nb, ROOT / "data" / "sample", [])
    assert audit["no_topic"] > 0 and audit["topic_with_one_owner"] > 0
    assert "issue-login-1902" in outputs_text(nb), "the channel waiting for its post-mortem"


def test_workspace_notebook_syncs_through_the_emulator(executed):
    nb = executed_text(executed, "04-your-workspace.ipynb")
    check_sync(nb, ROOT / "data" / "sample", [])
    assert "207 histories fetched" in outputs_text(nb)


@pytest.mark.parametrize("workspace", sorted(WORKSPACES))
@pytest.mark.parametrize("name", [nb.name for nb in NOTEBOOKS])
def test_notebook_on_another_workspace(on_workspaces, workspace, name):
    """Every notebook, run through its parameters on a workspace that is not the sample,
    runs every cell without a word on stderr and shows that workspace's figures."""
    export, parameters, out, failures = on_workspaces[workspace]
    assert name not in failures, failures.get(name)
    nb = nbformat.read(out / name, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and f'let tz = "{parameters["tz"]}";' in injected[0].source
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o["output_type"] != "error", o
            assert o.get("name") != "stderr", o["text"]
    CHECKS[name](nb, export, report_options(parameters))
    # Nothing of the sample shows through.
    assert "issue-login-1902" not in outputs_text(nb)


def test_markdown_names_no_channel_of_the_sample():
    """Prose in markdown cells holds on any workspace: it names no channel of the
    bundled sample (findings about the data are computed in code cells)."""
    channels = json.loads((ROOT / "data" / "sample" / "channels.json").read_text())
    names = [c["name"] for c in channels]
    for path in NOTEBOOKS:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type != "markdown":
                continue
            for name in names:
                named = f"#{name}" in cell.source or ("-" in name and re.search(rf"\b{re.escape(name)}\b", cell.source))
                assert not named, f"{path.name} cell {index + 1} names the sample's channel {name}"


def test_parameters_are_papermills(tmp_path):
    """Each notebook has one cell tagged `parameters`, and papermill itself runs a
    notebook with `-p`, through the Rust translator this project registers."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, path.name
        for name in ("export", "convention", "tz", "as_of"):
            assert f"let {name} = " in tagged[0].source, (path.name, name)
    export = tiny_workspace(tmp_path / "tiny")
    out = tmp_path / "01.ipynb"
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "papermill"), str(NOTEBOOKS[0]), str(out), "--cwd", str(ROOT / "notebooks"),
         "-p", "export", str(export), "-p", "tz", "Asia/Kolkata", "-p", "as_of", "2024-03-10"],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    nb = nbformat.read(out, as_version=4)
    text = outputs_text(nb)
    assert "3 incident channels" in text and "3 channels are still open" in text
    assert "2024-03-10 05:30:00 (Asia/Kolkata)" in text, "as_of and tz came through"


def test_rust_translator_writes_typed_lets():
    sys.path.insert(0, str(ROOT / "python"))
    from incident_channels_nb.translator import RustTranslator
    from papermill.exceptions import PapermillException

    code = RustTranslator.codify({"export": 'a "b" \\ c\nd', "days": 30, "share": 0.5, "on": True,
                                  "names": ["x", "y"]})
    assert code.splitlines() == [
        "// Parameters",
        'let export = "a \\"b\\" \\\\ c\\u{a}d";',
        "let days = 30i64;",
        "let share = 0.5f64;",
        "let on = true;",
        'let names = vec!["x", "y"];',
    ]
    with pytest.raises(PapermillException):
        RustTranslator.codify({"export": None})
    with pytest.raises(PapermillException):
        RustTranslator.codify({"bad name": 1})
    found = RustTranslator.inspect(nbformat.v4.new_code_cell("// Where the export is.\nlet export = \"x\";"))
    assert [(p.name, p.default, p.help) for p in found] == [("export", '"x"', "Where the export is.")]


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
    # The set-up cell and the parameters cell after it (which names `export`).
    setup = "\n".join(c.source for c in [c for c in first.cells if c.cell_type == "code"][:2])
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


BOOKKEEPING = {"channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name", "channel_archive",
               "channel_unarchive", "group_join", "group_archive", "group_unarchive", "bot_message", "pinned_item"}


def millis(ts):
    """Slack's `ts` as whole milliseconds, as the frames keep it."""
    seconds, _, fraction = ts.partition(".")
    return int(seconds) * 1000 + int((fraction + "000")[:3])


def test_phases_match_an_independent_reading_of_the_sample():
    """time_to_first_response, time_to_resolve and postmortem_wait of `report --json`,
    computed again here from the sample's files with the definitions' words: the first
    message by a person other than the creator, the first that says resolved (or
    mitigated, back to normal, all clear) without denying it, and from it to the archive."""
    import statistics
    sample = ROOT / "data" / "sample"
    first_response, resolve, wait = [], [], []
    for channel in json.loads((sample / "channels.json").read_text()):
        if not channel["name"].startswith("issue-"):
            continue
        created = channel["created"] * 1000
        messages = []
        for day in sorted((sample / channel["name"]).glob("*.json")):
            messages += json.loads(day.read_text())
        updates = [m for m in messages if m.get("subtype") not in BOOKKEEPING]
        answers = [millis(m["ts"]) for m in updates if m.get("user") and m["user"] != channel["creator"]]
        if answers:
            first_response.append((min(answers) - created) / 60_000)
        said = [m for m in updates
                if any(p in m.get("text", "").lower() for p in ("mitigated", "resolved", "back to normal", "all clear"))
                and not any(p in m.get("text", "").lower() for p in ("not ", "n't ", "unresolved", "not yet"))]
        if said:
            resolved = min(millis(m["ts"]) for m in said)
            resolve.append((resolved - created) / 3_600_000)
            # The archive: the newest channel_archive not undone by a later unarchive.
            events = sorted((millis(m["ts"]), m.get("subtype")) for m in messages
                            if m.get("subtype") in ("channel_archive", "channel_unarchive"))
            if events and events[-1][1] == "channel_archive" and events[-1][0] >= resolved:
                wait.append((events[-1][0] - resolved) / 3_600_000)
    metrics = report()["metrics"]
    for values, key in ((first_response, "time_to_first_response"), (resolve, "time_to_resolve"),
                        (wait, "postmortem_wait")):
        figures = metrics[key]
        assert figures["measured"] == len(values), key
        assert math.isclose(figures["p50"], statistics.median(values), rel_tol=1e-9), key
        p90 = statistics.quantiles(values, n=10, method="inclusive")[8]
        assert math.isclose(figures["p90"], p90, rel_tol=1e-9), key


VEGA_LITE = "application/vnd.vegalite.v5+json"


@pytest.mark.parametrize("name", [nb.name for nb in NOTEBOOKS])
def test_every_chart_carries_a_vega_lite_spec_the_compiler_renders(name, tmp_path):
    """Each chart output of the committed notebooks has its SVG (GitHub, posts) and a
    Vega-Lite spec (JupyterLab, interactive) built from the same data; the real
    Vega-Lite compiler and Vega renderer (the versions JupyterLab bundles, installed by
    `scripts/setup.sh --test`) accept every spec and draw marks from it."""
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    charts = [o["data"] for c in nb.cells for o in c.get("outputs", []) if "image/svg+xml" in o.get("data", {})]
    assert all(VEGA_LITE in chart for chart in charts), "a chart without its Vega-Lite spec"
    specs = [chart[VEGA_LITE] for chart in charts]
    if not specs:
        return
    for spec in specs:
        assert spec["data"]["values"], f"{spec.get('title')}: no data inlined"
    check = ROOT / "tests" / "vega" / "check.mjs"
    assert (ROOT / "assets" / "vega" / "node_modules" / "vega-lite").is_dir(), \
        "vega-lite is not installed: run scripts/setup.sh --test (make setup-test)"
    (tmp_path / "specs.json").write_text(json.dumps(specs))
    result = subprocess.run(["node", str(check), str(tmp_path / "specs.json")], capture_output=True, text=True,
                            timeout=300)
    rendered = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(rendered) == len(specs)
    for chart in rendered:
        assert chart["marks"] >= 1 and not chart["warnings"], chart


CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def served(folder):
    """An HTTP server on loopback serving `folder`, and the list of (status, path) of
    every request it answered."""
    import functools
    import http.server
    import threading
    answered = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_request(self, code="-", size="-"):
            answered.append((int(code), self.path))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, answered


def test_posts_build_in_a_real_jekyll_blog(executed, tmp_path):
    """The four posts, published into a Jekyll 4 blog with the minima theme (Debian's
    packages, installed by `scripts/setup.sh --test`), build without a warning; each
    built post, opened in headless Chromium, loads every image (no 404), shows its title
    once, and keeps wide tables and long code lines in boxes that scroll."""
    jekyll = shutil.which("jekyll")
    assert jekyll, "jekyll is not installed: run scripts/setup.sh --test (make setup-test)"
    out, _ = executed
    blog = tmp_path / "blog"
    for nb in NOTEBOOKS:
        result = publish(out / nb.name, blog)
        assert result.returncode == 0, result.stderr
    (blog / "_config.yml").write_text('title: "Incidents"\ntheme: minima\nurl: ""\n')
    (blog / "index.md").write_text("---\nlayout: home\n---\n")
    build = subprocess.run([jekyll, "build", "--source", str(blog), "--destination", str(blog / "_site")],
                           capture_output=True, text=True, timeout=600)
    log = build.stdout + build.stderr
    assert build.returncode == 0, log
    assert not re.search(r"warn|liquid|error|deprecat", log, re.IGNORECASE), log
    posts = sorted((blog / "_site").rglob("*.html"))
    posts = [p for p in posts if p.parent != blog / "_site"]
    assert len(posts) == len(NOTEBOOKS), posts
    server, answered = served(blog / "_site")
    try:
        for post in posts:
            path = "/" + post.relative_to(blog / "_site").as_posix()
            dom = subprocess.run([*CHROMIUM, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                                  f"http://127.0.0.1:{server.server_address[1]}{path}"],
                                 capture_output=True, text=True, timeout=120, check=True).stdout
            source = (blog / "_posts").glob(f"*-{post.stem}.md")
            title = re.search(r'^title: "(.*)"$', next(source).read_text(), re.M).group(1)
            assert dom.count(f">{title}<") == 1, f"{path}: the title shows {dom.count(f'>{title}<')} times"
            images = re.findall(r'<img[^>]* src="([^"]+)"', dom)
            for src in images:
                assert any(status == 200 and p == src for status, p in answered), f"{path}: {src} not loaded"
            for table in re.finditer(r"<table", dom):
                box = dom.rfind("<div", 0, table.start())
                assert "overflow-x: auto" in dom[box:table.start()], f"{path}: a table outside a scrolling box"
    finally:
        server.shutdown()
    # (A browser asks every site for /favicon.ico; the theme has none, and no page links it.)
    missing = [(status, p) for status, p in answered if status >= 400 and p != "/favicon.ico"]
    assert not missing, missing
    # Long code lines scroll in their box: the theme's own rule, checked in the built CSS.
    css = "".join(p.read_text() for p in (blog / "_site").rglob("*.css"))
    assert re.search(r"\bpre\b[^{}]*\{[^}]*overflow-x:\s*auto", css), "code blocks do not scroll"
    # Static by default: no script, and every chart an SVG image.
    for post in (blog / "_posts").glob("*.md"):
        assert "<script" not in post.read_text(), f"{post.name}: a script in a static post"


def hovered_tooltips(url, chart_title, profile):
    """Opens `url` in headless Chromium and moves the pointer across the chart titled
    `chart_title`, through Chromium's DevTools protocol: the texts its tooltip showed."""
    import socket
    import time
    import urllib.request
    import websocket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    browser = subprocess.Popen([*CHROMIUM, f"--user-data-dir={profile}", f"--remote-debugging-port={port}",
                                "--remote-allow-origins=*", "--window-size=1000,900", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                tabs = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=1))
                break
            except OSError:
                time.sleep(0.1)
        page = next(t for t in tabs if t["type"] == "page")
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], suppress_origin=True, timeout=30)
        sent = [0]

        def call(method, **params):
            sent[0] += 1
            ws.send(json.dumps({"id": sent[0], "method": method, "params": params}))
            while True:
                message = json.loads(ws.recv())
                if message.get("id") == sent[0]:
                    assert "error" not in message, message
                    return message["result"]

        def evaluate(expression):
            return call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

        call("Page.navigate", url=url)
        find = f"[...document.querySelectorAll('.vega-chart.interactive')].find(b => b.textContent.includes({json.dumps(chart_title)}))"
        for _ in range(300):
            if evaluate(f"!!({find})"):
                break
            time.sleep(0.1)
        box = evaluate(f"""(() => {{ const box = {find}; box.scrollIntoView({{block: 'center'}});
            const r = box.querySelector('svg').getBoundingClientRect();
            return {{x: r.x, y: r.y, width: r.width, height: r.height}}; }})()""")
        assert box, f"{chart_title}: not drawn by Vega"
        shown = []
        for i in range(80):
            x = box["x"] + 60 + i * (box["width"] - 120) / 80
            call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=box["y"] + box["height"] * 0.55)
            time.sleep(0.03)
            text = evaluate("(document.querySelector('.vega-tooltip') || {}).innerText || ''")
            if text and text not in shown:
                shown.append(text)
        ws.close()
        return shown
    finally:
        browser.kill()
        browser.wait()


def test_interactive_posts_render_their_charts_in_a_real_blog(executed, tmp_path):
    """`publish --interactive` copies Vega and Vega-Lite from the installed packages into
    the site (never a CDN): in the built Jekyll blog, opened in headless Chromium, every
    chart of the post is drawn by Vega from its spec (an SVG of marks in place of the
    static image), and every request the page makes is answered by the blog itself."""
    jekyll = shutil.which("jekyll")
    assert jekyll, "jekyll is not installed: run scripts/setup.sh --test (make setup-test)"
    out, _ = executed
    blog = tmp_path / "blog"
    names = ["01-issue-channels.ipynb", "02-incident-metrics.ipynb"]
    for name in names:
        result = publish(out / name, blog, "--interactive")
        assert result.returncode == 0, result.stderr
    installed = ROOT / "assets" / "vega" / "node_modules"
    for copied, package in (("vega.min.js", "vega/build/vega.min.js"),
                            ("vega-lite.min.js", "vega-lite/build/vega-lite.min.js")):
        assert (blog / "assets" / "vega" / copied).read_bytes() == (installed / package).read_bytes(), copied
    (blog / "_config.yml").write_text('title: "Incidents"\ntheme: minima\nurl: ""\n')
    build = subprocess.run([jekyll, "build", "--source", str(blog), "--destination", str(blog / "_site")],
                           capture_output=True, text=True, timeout=600)
    log = build.stdout + build.stderr
    assert build.returncode == 0 and not re.search(r"warn|liquid|error|deprecat", log, re.IGNORECASE), log
    server, answered = served(blog / "_site")
    try:
        for name in names:
            nb = nbformat.read(out / name, as_version=4)
            charts = sum(1 for c in nb.cells for o in c.get("outputs", []) if VEGA_LITE in o.get("data", {}))
            assert charts, name
            post = next(p for p in (blog / "_site").rglob(f"{name[3:-6]}.html") if p.parent != blog / "_site")
            path = "/" + post.relative_to(blog / "_site").as_posix()
            # Vega renders after the page loads: give it (virtual) time.
            dom = subprocess.run([*CHROMIUM, f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=20000",
                                  "--dump-dom", f"http://127.0.0.1:{server.server_address[1]}{path}"],
                                 capture_output=True, text=True, timeout=180, check=True).stdout
            boxes = re.findall(r'<div class="vega-chart[^"]*"', dom)
            assert len(boxes) == charts, f"{path}: {len(boxes)} chart boxes for {charts} charts"
            drawn = [b for b in boxes if "interactive" in b]
            assert len(drawn) == charts, f"{path}: {len(drawn)} of {charts} charts drawn by Vega"
            assert dom.count('class="marks"') >= charts, f"{path}: Vega drew no marks"
            assert not re.search(r'<script[^>]+src="(https?:)?//', dom), f"{path}: a script from elsewhere"
        # Hovering the daily curve names the channels behind a day, as their names.
        post = next(p for p in (blog / "_site").rglob("incident-metrics.html") if p.parent != blog / "_site")
        url = f"http://127.0.0.1:{server.server_address[1]}/{post.relative_to(blog / '_site').as_posix()}"
        tips = hovered_tooltips(url, "Open incident channels per day", tmp_path / "hover-profile")
        assert any(re.search(r"^opened: issue-[a-z]", tip, re.M) for tip in tips), tips
        assert all(re.search(r"^date \(UTC\): \w{3} \d{1,2} \w{3} \d{4}$", tip, re.M) for tip in tips), tips
        assert not any(re.search(r"\bU[A-Z0-9]{8,}\b|\bC[A-Z0-9]{8,}\b", tip) for tip in tips), tips
    finally:
        server.shutdown()
    wanted = {"/assets/vega/vega.min.js", "/assets/vega/vega-lite.min.js", "/assets/vega/charts.js"}
    assert wanted <= {p for status, p in answered if status == 200}, answered
    missing = [(status, p) for status, p in answered if status >= 400 and p != "/favicon.ico"]
    assert not missing, missing
