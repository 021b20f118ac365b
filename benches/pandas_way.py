"""The Python way, for comparison: what the post's notebook would do on an export.

Reads every day file with json.load, builds pandas DataFrames of channels and messages,
and computes the post's figures. Prints one JSON object with timings and peak memory.
Used by `cargo bench --bench load` (`make bench-phases`) for its load-phase ratio; the
end-to-end comparison with identical figures is benches/pandas_peer.py (`make bench`).

Usage: python3 benches/pandas_way.py EXPORT_DIR
"""
import json
import os
import resource
import sys
import time

import pandas as pd


def main(root):
    started = time.perf_counter()
    with open(os.path.join(root, "channels.json")) as f:
        channels = json.load(f)
    rows = []
    size = 0
    for channel in channels:
        folder = os.path.join(root, channel["name"])
        if not os.path.isdir(folder):
            continue
        for day in sorted(os.listdir(folder)):
            path = os.path.join(folder, day)
            size += os.path.getsize(path)
            with open(path) as f:
                for m in json.load(f):
                    rows.append((channel["id"], m["ts"], m.get("user"), m.get("subtype"),
                                 m.get("text", ""), m.get("thread_ts")))
    messages = pd.DataFrame(rows, columns=["channel_id", "ts", "user", "subtype", "text", "thread_ts"])
    messages["time"] = pd.to_datetime(messages["ts"].astype(float), unit="s", utc=True)
    loaded = time.perf_counter()

    ch = pd.DataFrame(channels)
    issues = ch[ch["name"].str.startswith("issue-")].sort_values("created")
    first, last = issues["created"].iloc[0], issues["created"].iloc[-1]
    average = int(len(issues) / ((last - first) / (60 * 60 * 24 * 30)))
    active = int((~issues["is_archived"]).sum())
    days = pd.to_datetime(issues["created"], unit="s", utc=True).dt.date.value_counts()
    archives = messages[messages["subtype"] == "channel_archive"].groupby("channel_id")["time"].max()
    archived = issues["id"].map(archives)
    as_of = messages["time"].max()
    points = []
    t = pd.Timestamp(first - 1000, unit="s", tz="UTC")
    while t < as_of:
        points.append(t)
        t += pd.Timedelta(days=30)
    points.append(as_of)
    created = pd.to_datetime(issues["created"], unit="s", utc=True)
    open_counts = [int(((created <= p) & (archived.isna() | (p <= archived))).sum()) for p in points]
    analysed = time.perf_counter()

    print(json.dumps({
        "bytes": size,
        "messages": len(messages),
        "load_seconds": loaded - started,
        "analysis_seconds": analysed - loaded,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "issue_channels": len(issues),
        "average_per_month": average,
        "active": active,
        "worst_day_count": int(days.max()),
        "open_points": len(open_counts),
    }))


if __name__ == "__main__":
    main(sys.argv[1])
