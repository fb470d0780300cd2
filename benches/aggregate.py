#!/usr/bin/env python3
"""`aggregate` benchmark (issue 22): `aggregate list`, `due` and `stats` over 10 repositories of
10,000 reports each (gen-corpus, one id prefix per repository), beside `list`, `due` and `stats`
on one of them, in the same run. Goal: the three aggregate views under 3 s. Writes its section
of docs/benchmarks.md between `<!-- keep:aggregate -->` and `<!-- /keep:aggregate -->` (bench.py
keeps that section when it rewrites the file).

    python3 benches/aggregate.py [--runs 5] [--corpus DIR] [--no-build]

`--corpus DIR` reuses (or, when missing, generates and keeps) the ten repositories in DIR;
without it they are generated into a temporary directory and removed afterwards. A timed
command that exits with anything but its expected code stops the run: 0, and for `due` 1 only
when its JSON says a deadline is overdue (its documented finding). Timings are for reading,
never asserted: the machine is shared."""
import argparse, datetime, json, os, re, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "enigm-disclose")
GEN = os.path.join(ROOT, "target", "release", "examples", "gen-corpus")
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
COMMAND = "python3 benches/aggregate.py"
ENV = dict(os.environ, ENIGM_TODAY="2026-11-24", NO_COLOR="1")
MEMBERS, REPORTS = 10, 10_000
GOAL = 3.0


def prefix(i):
    return "TEAMT" + "ABCDEFGHIJ"[i]


def corpus(directory):
    """The ten repositories and their aggregate.yaml in `directory` (generated when missing)."""
    os.makedirs(directory, exist_ok=True)
    for i in range(MEMBERS):
        repo = os.path.join(directory, f"r{i}")
        if not os.path.isdir(os.path.join(repo, ".git")):
            out = subprocess.run([GEN, str(REPORTS), repo, "--seed", str(i + 1), "--prefix", prefix(i)],
                                 env=ENV, check=True, capture_output=True, text=True).stdout.strip()
            print("  " + out, flush=True)
    lines = ["name: Bench Corp", "repositories:"]
    for i in range(MEMBERS):
        lines += [f"  - name: r{i}", f"    path: r{i}"]
    path = os.path.join(directory, "aggregate.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def expected(argv, p):
    """True when the exit code is the one the command documents for this output."""
    if p.returncode == 0:
        return True
    if p.returncode == 1 and "due" in argv:
        out = json.loads(p.stdout)
        return out.get("overdue", 0) > 0 and not out.get("findings") and not out.get("unreadable")
    return False


def measure(argv, runs, cwd):
    """Median wall seconds, peak RSS (MiB) and median CPU seconds (user + system) of `argv` over
    `runs` runs; stops on a failure."""
    walls, rss, cpu = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S"] + argv, env=ENV, cwd=cwd, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        if not expected(argv, p):
            sys.exit(f"{' '.join(argv)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
        m, u, sy = p.stderr.strip().splitlines()[-1].split()
        rss.append(int(m) / 1024)
        cpu.append(float(u) + float(sy))
    return statistics.median(walls), max(rss), statistics.median(cpu)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", help="keep the repositories here (reused when present)")
    ap.add_argument("--no-build", action="store_true", help="use the release build as it is")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--bin", "enigm-disclose", "--example", "gen-corpus"],
                       cwd=ROOT, check=True)
    tmp = None if args.corpus else tempfile.mkdtemp(prefix="enigm-aggregate-bench-")
    directory = args.corpus or tmp
    try:
        file = corpus(directory)
        one = os.path.join(directory, "r0")
        load = [open("/proc/loadavg").read().split()[0]]
        rows = []
        for view in (["list"], ["due"], ["stats"]):
            agg = measure([BIN, "aggregate", "--file", file] + view + ["--format", "json"], args.runs, directory)
            single = measure([BIN, "-C", one] + view + ["--format", "json"], args.runs, directory)
            rows.append((view[0], agg, single))
            print(f"  {view[0]}: aggregate {agg[0]:.2f} s, one repository {single[0]:.2f} s", flush=True)
        load.append(open("/proc/loadavg").read().split()[0])
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    write(rows, args.runs, load)


def write(rows, runs, load):
    lines = [
        "<!-- keep:aggregate -->",
        "## Aggregate",
        "",
        f"Produced by `{COMMAND} --runs {runs}` on {datetime.date.today()}: {MEMBERS} repositories of "
        f"{REPORTS:,} reports each (gen-corpus, one commit each, prefixes TEAMTA…TEAMTJ), read from their committed "
        f"trees by `aggregate --file aggregate.yaml VIEW --format json`, beside the same view on one of them; median "
        f"of {runs} (wall time, peak memory), release build, on the shared 2-core machine (load average "
        f"{load[0]} at the start, {load[1]} at the end). Goal (issue 22): each aggregate view under {GOAL:.0f} s.",
        "",
        f"| view | aggregate, {MEMBERS} × {REPORTS:,}: wall, memory, CPU | one repository, {REPORTS:,}: wall, memory, CPU | CPU ratio | goal (wall) |",
        "|---|---:|---:|---:|---|",
    ]
    for name, (ta, ma, ca), (ts, ms, cs) in rows:
        met = "met" if ta < GOAL else "**not met** here"
        lines.append(f"| {name} | {ta:.2f} s, {ma:.0f} MB, {ca:.2f} CPU-s | {ts:.2f} s, {ms:.0f} MB, {cs:.2f} CPU-s "
                     f"| {ca / cs:.1f}× | {met} |")
    lines += [
        "",
        "CPU-s is user + system time, which the load inflates far less than wall time. The wall-time goal "
        "is judged on the wall times above, on this loaded machine; with both cores free a view would take "
        "about half its CPU seconds (an estimate, not measured here). Almost all of the CPU is parsing the "
        "reports with the same parser `list` uses; 10× the reports cost 11–14× the CPU of one repository's "
        "view, most likely the committed-tree path (each blob read and inflated from the pack by "
        "libgit2, where `list` reads the work tree from the page cache) and the wider merge and sort. Each "
        "member's blobs are read on one thread per member (libgit2 handles are not shared), then parsed on "
        "every core, members in parallel. `stats` keeps every parsed report (each member's figures and "
        "the total), `list` and `due` keep only rows.",
        "<!-- /keep:aggregate -->",
    ]
    block = "\n".join(lines) + "\n"
    text = open(DOC, encoding="utf-8").read()
    text, n = re.subn(r"<!-- keep:aggregate -->.*?<!-- /keep:aggregate -->\n", lambda _: block, text, flags=re.S)
    if n == 0:
        text = text.rstrip("\n") + "\n\n" + block
    open(DOC, "w", encoding="utf-8").write(text)
    print(block)


if __name__ == "__main__":
    main()
