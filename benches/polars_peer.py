"""The post's figures the python-polars way, from an export folder.

Reads the issue channels' day files with json.load into column lists (polars' own
`pl.read_json` per day file measured 5.6x slower here: its per-call cost dominates on
small files, and `scan_ndjson` does not read JSON lists), builds one messages DataFrame
with the columns the Rust tool's messages frame has, then computes the figures of
`incident-channels report DIR --json` with polars expressions and prints them with the
same keys and formatting (see src/analysis/post.rs, TimeToArchive in
src/analysis/metrics.rs).

Times are integer nanoseconds parsed from Slack's "seconds.micros" strings, not floats,
so that archive times and hours match the Rust side exactly.

Usage: python benches/polars_peer.py EXPORT_DIR
"""
import json
import os
import re
import sys
from datetime import timedelta

import polars as pl

PREFIX = "issue-"
DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
ARCHIVE = ["channel_archive", "group_archive"]
UNARCHIVE = ["channel_unarchive", "group_unarchive"]
SCHEMA = {
    "channel_id": pl.String,
    "ts": pl.String,
    "user": pl.String,
    "subtype": pl.String,
    "text": pl.String,
    "thread_ts": pl.String,
}
ISO = "%Y-%m-%dT%H:%M:%SZ"


def load_messages(root, channels):
    cols = {name: [] for name in SCHEMA}
    for channel_id, name in channels.select("id", "name").iter_rows():
        folder = os.path.join(root, name)
        if not os.path.isdir(folder):
            continue
        for day in sorted(os.listdir(folder)):
            if not DAY_FILE.match(day):
                continue
            with open(os.path.join(folder, day)) as f:
                for m in json.load(f):
                    cols["channel_id"].append(channel_id)
                    cols["ts"].append(m["ts"])
                    cols["user"].append(m.get("user"))
                    cols["subtype"].append(m.get("subtype"))
                    cols["text"].append(m.get("text", ""))
                    cols["thread_ts"].append(m.get("thread_ts"))
    ts = pl.col("ts").str.split_exact(".", 1)
    nanos = ts.struct.field("field_0").cast(pl.Int64) * 1_000_000_000 + ts.struct.field(
        "field_1"
    ).fill_null("0").str.pad_end(9, "0").cast(pl.Int64)
    return pl.DataFrame(cols, schema=SCHEMA).with_columns(
        time=pl.from_epoch(nanos, time_unit="ns").dt.replace_time_zone("UTC")
    )


def main(root):
    with open(os.path.join(root, "channels.json")) as f:
        channels = pl.DataFrame(json.load(f), infer_schema_length=None)
    if "is_archived" not in channels.columns:
        channels = channels.with_columns(is_archived=pl.lit(False))
    channels = channels.with_columns(pl.col("is_archived").fill_null(False))
    # Only the issue channels' messages, as the post and the tool read.
    messages = load_messages(root, channels.filter(pl.col("name").str.starts_with(PREFIX)))

    activity = messages.group_by("channel_id").agg(
        last_message=pl.col("time").max(),
        last_archive=pl.col("time").filter(pl.col("subtype").is_in(ARCHIVE)).max(),
        last_unarchive=pl.col("time").filter(pl.col("subtype").is_in(UNARCHIVE)).max(),
    )
    issues = (
        channels.lazy()
        .filter(pl.col("name").str.starts_with(PREFIX))
        .select(
            "id",
            "is_archived",
            created=pl.from_epoch("created", time_unit="s")
            .cast(pl.Datetime("ns"))
            .dt.replace_time_zone("UTC"),
        )
        .join(activity.lazy(), left_on="id", right_on="channel_id", how="left")
        .with_columns(
            archived_at=pl.when(pl.col("last_unarchive") >= pl.col("last_archive"))
            .then(None)
            .otherwise(pl.col("last_archive"))
        )
        .sort("created")
        .collect()
    )

    summary = issues.select(
        n=pl.len(),
        first=pl.col("created").min(),
        last=pl.col("created").max(),
        active=(~pl.col("is_archived")).sum(),
        as_of=pl.max_horizontal(pl.col("created").max(), pl.col("last_message").max()),
    ).row(0, named=True)
    span = summary["last"] - summary["first"]
    month = timedelta(days=30)
    average = int(summary["n"] / (span / month)) if span > timedelta(0) else None

    per_day = issues.group_by(day=pl.col("created").dt.date()).len()
    worst = per_day.filter(pl.col("len") == pl.col("len").max()).sort("day")

    as_of = issues.select(
        pl.max_horizontal(pl.col("created").max(), pl.col("last_message").max())
    ).to_series()
    points = pl.concat([
        pl.datetime_range(
            summary["first"] - timedelta(seconds=1000),
            as_of[0],
            interval="30d",
            closed="left",
            time_unit="ns",
            time_zone="UTC",
            eager=True,
        ),
        as_of,
    ]).alias("t").to_frame()
    open_over_time = (
        points.join(issues.select("created", "archived_at"), how="cross")
        .group_by("t", maintain_order=True)
        .agg(
            open=(
                (pl.col("created") <= pl.col("t"))
                & (pl.col("archived_at").is_null() | (pl.col("t") <= pl.col("archived_at")))
            ).sum()
        )
        .sort("t")
    )

    hours = issues.filter(pl.col("is_archived") & pl.col("archived_at").is_not_null()).select(
        h=(pl.col("archived_at") - pl.col("created")).dt.total_milliseconds() / 3_600_000.0
    )
    tta = hours.select(
        count=pl.len(),
        median=pl.col("h").quantile(0.5, interpolation="linear"),
        p90=pl.col("h").quantile(0.9, interpolation="linear"),
    ).row(0, named=True)

    print(json.dumps({
        "issue_channels": summary["n"],
        "first_created": summary["first"].strftime(ISO),
        "last_created": summary["last"].strftime(ISO),
        "average_per_month": average,
        "active": summary["active"],
        "worst_days": [d.isoformat() for d in worst["day"]],
        "worst_day_count": worst["len"][0],
        "open_over_time_monthly": [
            {"t": t.strftime(ISO), "open": n} for t, n in open_over_time.iter_rows()
        ],
        "as_of": summary["as_of"].strftime(ISO),
        "metrics": {"time_to_archive_hours": {
            "count": tta["count"],
            "open_excluded": summary["active"],
            "median": tta["median"],
            "p90": tta["p90"],
        }},
    }, indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
