"""End-to-end benchmark: `incident-channels report DIR --json` against three Python peers.

Each command is a whole process from its start: reading the export folder, computing the
figures, printing them. Before any time is printed the figures of all four are compared
(the post's figures and the time to archive; floats to 1e-9 relative); if they differ the
difference is printed and the driver exits 1. Then every command runs `--runs` times,
interleaved, and the median wall time is reported with each run's peak RSS (ru_maxrss of
that child, from os.wait4, spawned by a small launcher process: see `Launcher`).

Before each workspace, when the driver may (root), it drops the kernel's dentry and inode
caches (`/proc/sys/vm/drop_caches` = 2; `--keep-caches` not to): opening a file looks its
name up in one hash table of every name the kernel holds, which after a 5M export holds
a million more, and every command then opens files slower. Each size thus starts from
the same state, whatever ran before; the first, untimed run of each command fills the page
cache again, so the timed runs read from memory.

A fifth row is no peer but the floor: `cat` of every file of the export, one process per
core (xargs -P), into /dev/null. It computes nothing, so it is not compared; it shows how
much of any command's time merely reading the files takes on this machine.

Workspaces are made by `incident-channels generate --scale N` and cached under
target/bench-data/ (the same folders `cargo bench --bench load` uses). Sizes: 100k, 1M, 5M
messages (10M too with BENCH_FULL=1), and a 20,000-user variant of the smallest size.
Results go to target/bench-results.json. Stdlib only; the peers run with --python
(default .venv/bin/python when it exists).

Usage: python3 benches/e2e.py [--bin target/release/incident-channels] [--sizes 100k,1M]
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCALES = {"100k": 28, "1M": 280, "5M": 1400, "10M": 2800}
OURS = "incident-channels"
FLOOR = "floor: cat of every file"
PEERS = {
    "post's loop": "benches/post_loop.py",
    "pandas": "benches/pandas_peer.py",
    "polars (Python)": "benches/polars_peer.py",
}
POST_FIELDS = [
    "issue_channels", "first_created", "last_created", "average_per_month", "active",
    "worst_days", "worst_day_count", "open_over_time_monthly", "as_of",
]
TTA_FIELDS = ["count", "open_excluded", "median", "p90"]
REL = 1e-9


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# --- workspaces -------------------------------------------------------------------------

def workspace(bin_path, data, scale, users):
    """The generated workspace for `scale` (and `users`), made once; its facts."""
    name = f"scale-{scale}" if users is None else f"scale-{scale}-users-{users}"
    folder = os.path.join(data, name)
    done = folder + ".done"
    meta_path = folder + ".meta.json"
    if not os.path.exists(done):
        shutil.rmtree(folder, ignore_errors=True)
        cmd = [bin_path, "generate", "--out", folder, "--scale", str(scale)]
        if users is not None:
            cmd += ["--users", str(users)]
        log(f"generating {name}: {' '.join(cmd)}")
        started = time.perf_counter()
        out = subprocess.run(cmd, check=True, stderr=subprocess.PIPE, text=True).stderr
        log(out.strip(), f"({time.perf_counter() - started:.0f} s)")
        m = re.search(r"(\d+) messages, (\d+) users", out)
        with open(meta_path, "w") as f:
            json.dump({"messages": int(m.group(1)), "users": int(m.group(2))} if m else {}, f)
        with open(done, "w"):
            pass
    meta = {}
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
    files = size = 0
    for base, _, names in os.walk(folder):
        for n in names:
            if n.endswith(".json"):
                files += 1
                size += os.path.getsize(os.path.join(base, n))
    if "messages" not in meta:  # made by `cargo bench --bench load`: count once
        messages = 0
        for base, _, names in os.walk(folder):
            if base != folder:
                for n in names:
                    if n.endswith(".json"):
                        with open(os.path.join(base, n)) as f:
                            messages += len(json.load(f))
        with open(os.path.join(folder, "users.json")) as f:
            meta = {"messages": messages, "users": len(json.load(f))}
        with open(meta_path, "w") as f:
            json.dump(meta, f)
    return {"name": name, "dir": folder, "scale": scale, "files": files, "bytes": size, **meta}


# --- running ----------------------------------------------------------------------------

def err_path(out_path):
    """Where a command's stderr goes, beside its stdout."""
    return out_path + ".err"


def spawn(argv, out_path):
    """Runs argv as a child with stdout to out_path: (seconds, peak RSS bytes, exit code)."""
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, err_path(out_path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    started = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    return seconds, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)  # KiB on Linux


class Launcher:
    """Spawns the measured commands from a small process started before the driver grows.

    Linux keeps a process's peak RSS across exec, and a spawned child starts from its
    parent's: spawned from the driver (which holds a large workspace's file list after
    counting its messages), every command would show at least the driver's RSS. The
    launcher is a fresh Python, so a command's figure is its own, or the launcher's 10 MB
    where it is less."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--launcher"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def run(self, argv, out_path):
        self.proc.stdin.write(json.dumps([argv, out_path]) + "\n")
        self.proc.stdin.flush()
        return tuple(json.loads(self.proc.stdout.readline()))

    @staticmethod
    def serve():
        for line in sys.stdin:
            print(json.dumps(spawn(*json.loads(line))), flush=True)


LAUNCHER = None


def run(argv, out_path):
    """Runs argv through the launcher: (seconds, peak RSS bytes, exit code)."""
    seconds, rss, code = LAUNCHER.run(argv, out_path)
    if code != 0:
        with open(err_path(out_path)) as f:
            log(f"{' '.join(argv)} exited {code}:\n{f.read()[-3000:]}")
    return seconds, rss, code


def drop_kernel_caches():
    """Drops the dentry and inode caches (root only); whether it could."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("2\n")
        return True
    except OSError:
        return False


def commands(bin_path, python, folder):
    cmds = {OURS: [bin_path, "report", folder, "--json"]}
    for name, script in PEERS.items():
        cmds[name] = [python, os.path.join(ROOT, script), folder]
    return cmds


def floor_command(folder):
    """Reads every file of the export on every core and computes nothing."""
    read_all = ("find \"$1\" -type f -print0 | "
                f"xargs -0 -P {os.cpu_count() or 1} -n 2048 cat > /dev/null")
    return ["/bin/sh", "-c", read_all, "floor", folder]


# --- comparing --------------------------------------------------------------------------

def figures(report):
    out = {k: report.get(k) for k in POST_FIELDS}
    tta = report.get("metrics", {}).get("time_to_archive_hours", {})
    out["time_to_archive_hours"] = {k: tta.get(k) for k in TTA_FIELDS}
    return out


def differences(a, b, path=""):
    """Where two figure trees differ: floats to REL relative, everything else exactly."""
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
                and not isinstance(a, bool) and not isinstance(b, bool) \
                and abs(a - b) <= REL * max(abs(a), abs(b)):
            return []
        return [f"{path}: {a!r} != {b!r}"]
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{path}: keys {sorted(a)} != {sorted(b)}"]
        return [d for k in a for d in differences(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    if type(a) is not type(b) or a != b:
        return [f"{path}: {a!r} != {b!r}"]
    return []


def check_same(cmds, tmp):
    """Runs every command once (also warming the page cache); exits 1 unless all agree."""
    results = {}
    for name, argv in cmds.items():
        out = os.path.join(tmp, "out.json")
        _, _, code = run(argv, out)
        if code != 0:
            sys.exit(f"{name} failed; no times printed")
        with open(out) as f:
            try:
                results[name] = figures(json.load(f))
            except json.JSONDecodeError as e:
                sys.exit(f"{name} printed no JSON ({e}); no times printed")
    bad = False
    for name, got in results.items():
        if name == OURS:
            continue
        diff = differences(results[OURS], got)
        if diff:
            bad = True
            print(f"FIGURES DIFFER: {OURS} vs {name}:")
            for d in diff[:20]:
                print("   ", d)
            if len(diff) > 20:
                print(f"    … and {len(diff) - 20} more")
    if bad:
        print("No times are printed when the figures differ.")
        sys.exit(1)
    return results[OURS]


def measure(cmds, runs, tmp):
    """Every command `runs` times, interleaved: times and peak RSS of each run."""
    got = {name: {"seconds": [], "peak_rss_bytes": []} for name in cmds}
    for r in range(runs):
        for name, argv in cmds.items():
            seconds, rss, code = run(argv, os.path.join(tmp, "out.json"))
            if code != 0:
                sys.exit(f"{name} failed on run {r + 1}")
            got[name]["seconds"].append(seconds)
            got[name]["peak_rss_bytes"].append(rss)
    for m in got.values():
        m["median_seconds"] = statistics.median(m["seconds"])
        m["peak_rss_max_bytes"] = max(m["peak_rss_bytes"])
    return got


# --- printing ---------------------------------------------------------------------------

def table(ws, got):
    mb = ws["bytes"] / 1e6
    ours = got[OURS]
    lines = [
        f"### {ws['messages'] / 1e6:.2f}M messages, {ws['users']} users: {mb:.0f} MB of JSON "
        f"in {ws['files']} files ({ws['name']})",
        "",
        "| command | median s | MB/s | peak RSS MB | RSS ÷ JSON | time ÷ ours | RSS ÷ ours |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in got.items():
        s, rss = m["median_seconds"], m["peak_rss_max_bytes"]
        vs_time = "—" if name == OURS else f"{s / ours['median_seconds']:.2f}"
        vs_rss = "—" if name == OURS else f"{rss / ours['peak_rss_max_bytes']:.2f}"
        lines.append(f"| {name} | {s:.2f} | {mb / s:.0f} | {rss / 1e6:.0f} | "
                     f"{rss / ws['bytes']:.2f} | {vs_time} | {vs_rss} |")
    return "\n".join(lines)


def summary(paths):
    """One markdown table of every workspace in the result files (for the README)."""
    rows = [
        "| messages (JSON) | users | incident-channels | post's loop | pandas | polars (Python) "
        "| floor: cat of every file |",
        "|---|---:|---|---|---|---|---|",
    ]
    every = []
    for path in paths:
        with open(path) as f:
            every += json.load(f)["workspaces"]
    for w in sorted(every, key=lambda w: (w["users"], w["messages"])):
        r = w["results"]
        ours = r[OURS]
        cells = [f"{ours['median_seconds']:.2f} s, {ours['peak_rss_max_bytes'] / 1e6:.0f} MB "
                 f"({ours['peak_rss_max_bytes'] / w['bytes']:.2f}× JSON), "
                 f"{w['bytes'] / 1e6 / ours['median_seconds']:.0f} MB/s"]
        for name in PEERS:
            m = r[name]
            cells.append(f"{m['median_seconds']:.2f} s, {m['peak_rss_max_bytes'] / 1e6:.0f} MB "
                         f"· {m['median_seconds'] / ours['median_seconds']:.2f}×")
        floor = r.get(FLOOR)
        cells.append("—" if floor is None else
                     f"{floor['median_seconds']:.2f} s · {floor['median_seconds'] / ours['median_seconds']:.2f}×")
        rows.append(f"| {w['messages'] / 1e6:.2f}M ({w['bytes'] / 1e6:.0f} MB, "
                    f"{w['files'] / 1e3:.0f}k files) | {w['users']} | " + " | ".join(cells) + " |")
    rows.append("\nMedian wall time, peak RSS; × is the peer's time ÷ incident-channels' "
                "(above 1: ours is faster). The floor computes nothing: it only reads the files, "
                "one process per core.")
    print("\n".join(rows))


def main():
    if sys.argv[1:2] == ["--summary"]:
        return summary(sys.argv[2:])
    if sys.argv[1:2] == ["--launcher"]:
        return Launcher.serve()
    global LAUNCHER
    LAUNCHER = Launcher()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 epilog="`e2e.py --summary RESULTS.json…` prints one table of saved results")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/incident-channels"))
    default_sizes = "100k,1M,5M" + (",10M" if os.environ.get("BENCH_FULL") == "1" else "")
    ap.add_argument("--sizes", default=default_sizes, help=f"of {','.join(SCALES)}")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--users", type=int, default=20000, help="the many-users variant (0: none)")
    ap.add_argument("--users-size", default=None, help="its size (default: the smallest)")
    ap.add_argument("--users-runs", type=int, default=21,
                    help="interleaved runs of ours on the many-users variant and its base")
    venv = os.path.join(ROOT, ".venv/bin/python")
    ap.add_argument("--python", default=venv if os.path.exists(venv) else sys.executable)
    ap.add_argument("--data", default=os.path.join(ROOT, "target/bench-data"))
    ap.add_argument("--out", default=os.path.join(ROOT, "target/bench-results.json"))
    ap.add_argument("--keep-caches", action="store_true",
                    help="do not drop the kernel's dentry and inode caches before each size")
    args = ap.parse_args()

    bin_path = os.path.abspath(args.bin)
    if not os.access(bin_path, os.X_OK):
        sys.exit(f"{bin_path} not found: `cargo build --release` first, or pass --bin")
    python = shutil.which(args.python) or args.python
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for s in sizes:
        if s not in SCALES:
            sys.exit(f"unknown size {s!r}: pick from {', '.join(SCALES)}")
    os.makedirs(args.data, exist_ok=True)

    plan = [(s, None) for s in sizes]
    if args.users:
        plan.append((args.users_size or min(sizes, key=lambda s: SCALES[s]), args.users))

    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": subprocess.run([python, "--version"], capture_output=True, text=True).stdout.strip(),
        },
        "bin": bin_path,
        "build": "release" if "/release/" in bin_path else "debug" if "/debug/" in bin_path else "?",
        "runs": args.runs,
        "dropped_kernel_caches": False,
        "workspaces": [],
    }
    printed = []
    with tempfile.TemporaryDirectory() as tmp:
        for size, users in plan:
            ws = workspace(bin_path, args.data, SCALES[size], users)
            cmds = commands(bin_path, python, ws["dir"])
            if not args.keep_caches:
                dropped = drop_kernel_caches()
                results["dropped_kernel_caches"] = dropped
                log("dropped the kernel's dentry and inode caches" if dropped else
                    "could not drop the kernel's caches (not root): times depend on what ran before")
            log(f"checking that all four agree on {ws['name']} …")
            ours = check_same(cmds, tmp)
            log(f"timing {ws['name']}: {args.runs} runs of each …")
            got = measure({**cmds, FLOOR: floor_command(ws["dir"])}, args.runs, tmp)
            text = table(ws, got)
            print(text + "\n", flush=True)
            printed.append(text)
            results["workspaces"].append({**ws, "size": size, "figures": ours, "results": got})

        # The tables' rows of one size ran minutes apart, on a machine whose speed drifts
        # more than the 5% looked for: ours on both workspaces again, interleaved.
        by_scale = {}
        for w in results["workspaces"]:
            by_scale.setdefault(w["scale"], []).append(w)
        for scale, ws_of_scale in by_scale.items():
            if len(ws_of_scale) < 2:
                continue
            by_users = sorted(ws_of_scale, key=lambda w: w["users"])
            few, many = by_users[0], by_users[-1]
            log(f"timing ours on {few['name']} and {many['name']}, interleaved: "
                f"{args.users_runs} runs of each …")
            pair = {w["name"]: [bin_path, "report", w["dir"], "--json"] for w in (few, many)}
            got = measure(pair, args.users_runs, tmp)
            a, b = (got[w["name"]]["median_seconds"] for w in (few, many))
            print(f"{many['users']} users against {few['users']}, scale {scale}, "
                  f"{args.users_runs} interleaved runs: incident-channels {b * 1e3:.0f} ms "
                  f"against {a * 1e3:.0f} ms ({b / a:.3f}×)")
            results.setdefault("users_variant", []).append(
                {"scale": scale, "users": [few["users"], many["users"]],
                 "runs": args.users_runs, "seconds": [a, b], "ratio": b / a})

    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    log(f"results written to {os.path.relpath(args.out, ROOT)}")


if __name__ == "__main__":
    main()
