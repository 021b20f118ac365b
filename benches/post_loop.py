"""The seed post's algorithm on an export folder: plain Python loops, json.load per file.

Computes the figures `incident-channels report DIR --json` prints for the post (see
src/analysis/post.rs and TimeToArchive in src/analysis/metrics.rs) and prints them as
JSON with the same keys and formatting. The post's two fixes are kept: "now" is the
newest message or creation in the incident channels, and days are UTC dates.

Like the post and the Rust report, it reads only the incident channels' day files.
Times are kept as integer nanoseconds (Slack's ts is "seconds.micros"), so that the
figures match the Rust side exactly. Stdlib only.

Usage: python3 benches/post_loop.py EXPORT_DIR
"""
import json
import math
import os
import re
import sys
from datetime import datetime, timezone

PREFIX = "issue-"
MONTH = 60 * 60 * 24 * 30  # the post's month, seconds
AXIS_LEAD = 1000  # the post starts its axis this long before the first channel
NS = 1_000_000_000
DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
ARCHIVE = ("channel_archive", "group_archive")
UNARCHIVE = ("channel_unarchive", "group_unarchive")


def ts_ns(ts):
    """Slack's "seconds.micros" as integer nanoseconds."""
    secs, _, frac = ts.partition(".")
    return int(secs) * NS + int((frac or "0").ljust(9, "0"))


def rfc3339(ns):
    """Whole seconds, UTC, with a Z (the Rust side truncates the fraction)."""
    secs = ns // NS
    return datetime.fromtimestamp(secs, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def quantile(sorted_values, p):
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return None
    pos = p * (len(sorted_values) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def main(root):
    with open(os.path.join(root, "channels.json")) as f:
        channels = json.load(f)

    # Read the issue channels' day files, as the post (which fetched only their
    # history) and the tool do; note per channel its newest message and its newest
    # archive and unarchive.
    issue_channels = [c for c in channels if c["name"].startswith(PREFIX)]
    for channel in issue_channels:
        channel["last_message"] = None
        channel["last_archive"] = None
        channel["last_unarchive"] = None
        folder = os.path.join(root, channel["name"])
        if not os.path.isdir(folder):
            continue
        for day in sorted(os.listdir(folder)):
            if not DAY_FILE.match(day):
                continue
            with open(os.path.join(folder, day)) as f:
                messages = json.load(f)
            for message in messages:
                t = ts_ns(message["ts"])
                if channel["last_message"] is None or t > channel["last_message"]:
                    channel["last_message"] = t
                subtype = message.get("subtype")
                if subtype in ARCHIVE:
                    if channel["last_archive"] is None or t > channel["last_archive"]:
                        channel["last_archive"] = t
                elif subtype in UNARCHIVE:
                    if channel["last_unarchive"] is None or t > channel["last_unarchive"]:
                        channel["last_unarchive"] = t

    issue_channels = sorted(issue_channels, key=lambda c: c["created"])
    first_channel = issue_channels[0]
    last_channel = issue_channels[-1]

    total_months = (last_channel["created"] - first_channel["created"]) / MONTH
    average = int(len(issue_channels) / total_months) if total_months > 0 else None

    active_issue_channels = [c for c in issue_channels if not c.get("is_archived", False)]

    channels_on_dates = {}
    for channel in issue_channels:
        date = datetime.fromtimestamp(channel["created"], timezone.utc).strftime("%Y-%m-%d")
        channels_on_dates[date] = channels_on_dates.get(date, 0) + 1
    worst_count = max(channels_on_dates.values())
    worst_days = sorted(d for d, n in channels_on_dates.items() if n == worst_count)

    # The archive time: the newest archive message, unless an unarchive came at or after it.
    for channel in issue_channels:
        channel["created_ns"] = channel["created"] * NS
        archived = channel["last_archive"]
        unarchived = channel["last_unarchive"]
        if archived is not None and unarchived is not None and unarchived >= archived:
            archived = None
        channel["archived"] = archived  # None: open for ever (the post's math.inf)

    as_of = None
    for channel in issue_channels:
        newest = channel["created_ns"]
        if channel["last_message"] is not None and channel["last_message"] > newest:
            newest = channel["last_message"]
        if as_of is None or newest > as_of:
            as_of = newest

    def was_open(channel, t):
        return channel["created_ns"] <= t and (channel["archived"] is None or t <= channel["archived"])

    xaxis = []
    t = (first_channel["created"] - AXIS_LEAD) * NS
    while t < as_of:
        xaxis.append(t)
        t += MONTH * NS
    xaxis.append(as_of)
    yaxis = []
    for t in xaxis:
        open_channels = 0
        for channel in issue_channels:
            if was_open(channel, t):
                open_channels += 1
        yaxis.append(open_channels)

    hours = []
    for channel in issue_channels:
        if channel.get("is_archived", False) and channel["archived"] is not None:
            diff = channel["archived"] - channel["created_ns"]
            millis = abs(diff) // 1_000_000 * (1 if diff >= 0 else -1)  # truncated, as chrono
            hours.append(millis / 3_600_000.0)
    hours.sort()

    print(json.dumps({
        "issue_channels": len(issue_channels),
        "first_created": rfc3339(first_channel["created"] * NS),
        "last_created": rfc3339(last_channel["created"] * NS),
        "average_per_month": average,
        "active": len(active_issue_channels),
        "worst_days": worst_days,
        "worst_day_count": worst_count,
        "open_over_time_monthly": [{"t": rfc3339(t), "open": n} for t, n in zip(xaxis, yaxis)],
        "as_of": rfc3339(as_of),
        "metrics": {"time_to_archive_hours": {
            "count": len(hours),
            "open_excluded": len(active_issue_channels),
            "median": quantile(hours, 0.5),
            "p90": quantile(hours, 0.9),
        }},
    }, indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
