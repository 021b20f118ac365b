"""The post's figures the pandas way, from an export folder.

Reads the issue channels' day files with json.load (pandas has no reader for a folder of
JSON lists), builds one messages DataFrame with the columns the Rust tool's messages
frame has (channel_id, ts, time, user, subtype, text, thread_ts), then computes the
figures of `incident-channels report DIR --json` with pandas operations and prints them
with the same keys and formatting (see src/analysis/post.rs, TimeToArchive in
src/analysis/metrics.rs).

Times are integer nanoseconds parsed from Slack's "seconds.micros" strings, not floats,
so that archive times and hours match the Rust side exactly.

Usage: python benches/pandas_peer.py EXPORT_DIR
"""
import json
import os
import re
import sys

import numpy as np
import pandas as pd

PREFIX = "issue-"
MONTH = pd.Timedelta(days=30)
AXIS_LEAD = pd.Timedelta(seconds=1000)
DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
COLUMNS = ["channel_id", "ts", "user", "subtype", "text", "thread_ts"]


def load_messages(root, channels):
    rows = []
    for channel_id, name in zip(channels["id"], channels["name"]):
        folder = os.path.join(root, name)
        if not os.path.isdir(folder):
            continue
        for day in sorted(os.listdir(folder)):
            if not DAY_FILE.match(day):
                continue
            with open(os.path.join(folder, day)) as f:
                for m in json.load(f):
                    rows.append((channel_id, m["ts"], m.get("user"), m.get("subtype"),
                                 m.get("text", ""), m.get("thread_ts")))
    messages = pd.DataFrame(rows, columns=COLUMNS)
    parts = messages["ts"].str.partition(".")
    nanos = parts[0].astype("int64") * 1_000_000_000 + parts[2].str.ljust(9, "0").astype("int64")
    messages["time"] = pd.to_datetime(nanos, unit="ns", utc=True)
    return messages


def iso(t):
    return t.floor("s").strftime("%Y-%m-%dT%H:%M:%SZ")


def main(root):
    channels = pd.DataFrame(json.load(open(os.path.join(root, "channels.json"))))
    if "is_archived" not in channels:
        channels["is_archived"] = False
    channels["is_archived"] = channels["is_archived"].fillna(False).astype(bool)
    issues = channels[channels["name"].str.startswith(PREFIX)].copy()
    # Only the issue channels' messages, as the post and the tool read.
    messages = load_messages(root, issues)

    issues["created"] = pd.to_datetime(issues["created"] * 1_000_000_000, unit="ns", utc=True)
    issues = issues.sort_values("created").set_index("id")

    # Per channel: the newest message, the newest archive and unarchive.
    by_channel = messages.groupby("channel_id")["time"]
    last_message = by_channel.max()
    archive = messages[messages["subtype"].isin(["channel_archive", "group_archive"])]
    unarchive = messages[messages["subtype"].isin(["channel_unarchive", "group_unarchive"])]
    last_archive = archive.groupby("channel_id")["time"].max().reindex(issues.index)
    last_unarchive = unarchive.groupby("channel_id")["time"].max().reindex(issues.index)
    reopened = last_unarchive.notna() & (last_unarchive >= last_archive)
    issues["archived_at"] = last_archive.mask(reopened)

    first, last = issues["created"].min(), issues["created"].max()
    span = last - first
    average = int(len(issues) / (span / MONTH)) if span > pd.Timedelta(0) else None
    active = int((~issues["is_archived"]).sum())
    per_day = issues["created"].dt.strftime("%Y-%m-%d").value_counts()
    worst_count = int(per_day.max())
    worst_days = sorted(per_day[per_day == worst_count].index)

    as_of = max(issues["created"].max(), last_message.reindex(issues.index).max())

    points = pd.date_range(first - AXIS_LEAD, as_of, freq=MONTH, inclusive="left")
    points = points.append(pd.DatetimeIndex([as_of]))
    created = issues["created"].to_numpy()[:, None]
    archived = issues["archived_at"].to_numpy()[:, None]
    t = points.to_numpy()[None, :]
    is_open = (created <= t) & (pd.isna(archived) | (t <= archived))
    open_counts = is_open.sum(axis=0)

    closed = issues[issues["is_archived"] & issues["archived_at"].notna()]
    diff = (closed["archived_at"] - closed["created"]).to_numpy().astype("int64")
    millis = np.sign(diff) * (np.abs(diff) // 1_000_000)  # truncated to ms, as chrono
    hours = pd.Series(millis / 3_600_000.0)
    median = float(hours.quantile(0.5)) if len(hours) else None
    p90 = float(hours.quantile(0.9)) if len(hours) else None

    print(json.dumps({
        "issue_channels": len(issues),
        "first_created": iso(first),
        "last_created": iso(last),
        "average_per_month": average,
        "active": active,
        "worst_days": worst_days,
        "worst_day_count": worst_count,
        "open_over_time_monthly": [{"t": iso(p), "open": int(n)} for p, n in zip(points, open_counts)],
        "as_of": iso(as_of),
        "metrics": {"time_to_archive_hours": {
            "count": len(hours),
            "open_excluded": active,
            "median": median,
            "p90": p90,
        }},
    }, indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
