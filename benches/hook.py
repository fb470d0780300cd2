#!/usr/bin/env python3
"""The commands people wait for at every commit, at 10,000 and 100,000 reports: the pre-commit
hook (`validate --staged`, and a real `git commit` through the installed hook), `validate`,
`validate ONE`, `new`, `advance`, `list` and `due`. Each is timed with the binary before the
change (`--before BIN`, a release build of the base commit) and after (this tree's release
build), median of several runs, on corpora made by `gen-corpus` (one commit: history is not
what these commands read). Writes its own `## …` section of docs/benchmarks.md, with the command
line and the load average seen. Fails when a timed command exits non-zero.

    python3 benches/hook.py --before /tmp/hook-base-bin [--sizes 10000,100000] [--runs 5]
        [--layouts flat,sharded] [--cases new,advance,validate --staged,...]

Each figure is wall and CPU time (user + sys of the process and the children it waited for:
the hook run by `git commit`); a goal row says whether each meets it.
"""

import argparse
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AFTER = os.path.join(ROOT, "target", "release", "enigm-disclose")
GEN = os.path.join(ROOT, "target", "release", "examples", "gen-corpus")
SECTION = "## Hook, validate, new, advance, list and due at scale (benches/hook.py)"
ENV = dict(os.environ, ENIGM_TODAY="2026-11-24", GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.org",
           GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.org",
           NO_COLOR="1", GIT_CONFIG_NOSYSTEM="1")
ENV.pop("GIT_INDEX_FILE", None)


class Time(tuple):
    """(wall, cpu) seconds of one run or a median; cpu is user + sys of the process and the
    children it waited for (a hook run by `git commit`), which a loaded machine inflates far
    less than wall time."""

    def __new__(cls, wall, cpu):
        return super().__new__(cls, (wall, cpu))

    def __sub__(self, other):
        return Time(max(0.0, self[0] - other[0]), max(0.0, self[1] - other[1]))


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd, cwd=None, ok=(0,)):
    """Runs `cmd`; returns its Time. Any other exit than `ok` fails the benchmark."""
    before = children_cpu()
    start = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True)
    elapsed = time.perf_counter() - start
    cpu = children_cpu() - before
    if p.returncode not in ok:
        raise Failed(f"FAILED (exit {p.returncode}): {' '.join(cmd)}\n{p.stdout.decode()[-2000:]}\n{p.stderr.decode()[-2000:]}")
    return Time(elapsed, cpu)


class Failed(Exception):
    """A timed command exited with another status than expected: the benchmark fails, except
    for a before binary that does not know the sharded layout (its cells are left empty)."""


def median(cmd_of, runs, prepare=None, cwd=None, ok=(0,)):
    """Median wall and CPU time of `runs` runs of `cmd_of(k)`, after `prepare(k)` (untimed)."""
    times = []
    for k in range(runs):
        if prepare:
            prepare(k)
        times.append(run(cmd_of(k), cwd=cwd, ok=ok))
    return Time(statistics.median(t[0] for t in times), statistics.median(t[1] for t in times))


def git(corpus, *args):
    subprocess.run(["git", "-C", corpus, *args], env=ENV, check=True, capture_output=True)


def generate(n, dest, sharded):
    print(f"generating {n:,} reports in {dest}{' (sharded)' if sharded else ''}...", flush=True)
    subprocess.run([GEN, str(n), dest, "--commits", "1"] + (["--sharded"] if sharded else []), check=True,
                   capture_output=True)
    # Let git record the files' stat data in the index, as a clone leaves it.
    git(dest, "status", "--short")


def report_files(corpus):
    """Relative paths of the report files, in either layout (`reports/X.md`, `reports/YYYY/X.md`)."""
    out = []
    for top, dirs, names in os.walk(os.path.join(corpus, "reports")):
        rel = os.path.relpath(top, corpus)
        depth = rel.count(os.sep)
        dirs[:] = [d for d in dirs if depth == 0 and len(d) == 4 and d.isdigit()]
        out.extend(os.path.join(rel, n) for n in names if n.endswith(".md") and not n.startswith("."))
    return sorted(out)


def received(corpus, count):
    out = []
    for rel in report_files(corpus):
        with open(os.path.join(corpus, rel), encoding="utf-8") as f:
            if "\nstate: received\n" in f.read(2000):
                out.append(os.path.basename(rel)[:-3])
                if len(out) == count:
                    break
    return out


def touch_report(corpus, rel, k):
    """Changes one report's body (a line appended) and stages it."""
    with open(os.path.join(corpus, rel), "a", encoding="utf-8") as f:
        f.write(f"\nBenchmark note {k} at {time.time()}.\n")
    git(corpus, "add", rel)


# What each case costs at most; `--cases` picks some (the hook, new and advance are issue 22's
# goals for this script; validate, list and due have their own in bench.py and aggregate.py).
CASES = ["--version", "validate", "validate ONE", "list", "due", "new", "advance", "validate --staged",
         "git commit with the hook", "git commit --no-verify", "hook (commit − no-verify)"]


def measure(binary, corpus, runs, ids, cases):
    """{case: median Time} for one binary on one corpus."""
    b = binary
    one = max(report_files(corpus))
    product = re.search(r"- name: (\S+)", open(os.path.join(corpus, "enigm.yaml"), encoding="utf-8").read()).group(1)
    r = {}
    few = min(runs, 3)
    # The floor: process start, no repository read.
    if "--version" in cases:
        r["--version"] = median(lambda k: [b, "--version"], max(runs, 5))
    if "validate" in cases:
        r["validate"] = median(lambda k: [b, "-C", corpus, "validate"], few)
    if "validate ONE" in cases:
        r["validate ONE"] = median(lambda k: [b, "-C", corpus, "validate", one], runs)
    if "list" in cases:
        r["list"] = median(lambda k: [b, "-C", corpus, "list"], few)
    # `due` exits 1 when something is overdue (a finding, as documented), which a corpus has.
    if "due" in cases:
        r["due"] = median(lambda k: [b, "-C", corpus, "due"], few, ok=(0, 1))
    if "new" in cases:
        r["new"] = median(lambda k: [b, "-C", corpus, "new", "--title", f"Hook bench {k}", "--product", product,
                                     "--reporter-name", "Bench"], runs)
    if "advance" in cases:
        r["advance"] = median(lambda k: [b, "-C", corpus, "advance", ids[k], "needs-info", "--note", "bench"], runs)
    # The hook: one report changed and staged each run.
    if "validate --staged" in cases:
        r["validate --staged"] = median(lambda k: [b, "-C", corpus, "validate", "--staged"], runs,
                                        prepare=lambda k: touch_report(corpus, one, k))
        git(corpus, "commit", "-q", "--no-verify", "-m", "bench: staged edits")
    if any(c.startswith("git commit") or c.startswith("hook") for c in cases):
        run([b, "-C", corpus, "hook", "install", "--force"])
        # The installed script runs the binary that installed it: the one measured.
        with_hook = median(lambda k: ["git", "-C", corpus, "commit", "-q", "-m", f"bench {k}"], runs,
                           prepare=lambda k: touch_report(corpus, one, 100 + k))
        bare = median(lambda k: ["git", "-C", corpus, "commit", "-q", "--no-verify", "-m", f"bench nv {k}"], runs,
                      prepare=lambda k: touch_report(corpus, one, 200 + k))
        run([b, "-C", corpus, "hook", "uninstall"])
        r["git commit with the hook"] = with_hook
        r["git commit --no-verify"] = bare
        r["hook (commit − no-verify)"] = with_hook - bare
    return r


GOALS = {
    "validate --staged": {10_000: "< 30 ms", 100_000: "< 50 ms"},
    "hook (commit − no-verify)": {10_000: "< 30 ms", 100_000: "< 50 ms"},
    "validate": {100_000: "< 2 s"},
    "list": {100_000: "< 1.5 s"},
    "due": {100_000: "< 1.5 s"},
    "new": {100_000: "< 150 ms"},
    "advance": {100_000: "< 150 ms"},
}


def fmt(t):
    return f"{t * 1000:.0f} ms" if t < 1 else f"{t:.2f} s"


def verdict(goal, t):
    """Whether the wall time meets the goal (`< 30 ms`), and the CPU time as well."""
    if goal == "–":
        return ""
    limit = float(goal.split()[1]) / (1000 if goal.endswith("ms") else 1)
    return f" ({'met' if t[0] < limit else 'not met'} by wall, {'met' if t[1] < limit else 'not met'} by CPU)"


def section(results, sizes, runs, loads, argv, layouts):
    lines = [SECTION, "",
             "What a commit, a check and a filing cost with many reports: each command with the binary of "
             "the base commit (before) and of this tree (after), median of "
             f"{runs[0]} runs below 100,000 reports and {runs[1]} at 100,000 (at most 3 for `validate`, `list`, "
             "`due`), release builds, corpora from "
             "`gen-corpus N DIR --commits 1` (`--sharded` for the sharded layout). The hook is timed two ways: "
             "`validate --staged` with one report changed and staged, and a real `git commit` through the "
             "installed hook minus the same commit with `--no-verify`. `--version` is the floor: starting the "
             "process. Each cell is wall / CPU (user + sys, children included). The machine is shared while "
             "these run: wall times are inflated; CPU time is the steadier figure, and before and after are "
             "compared within one run.", "",
             f"Command: `{shlex.join(argv)}`; load average (1, 5, 15 min) at the start and the end: "
             f"{loads[0]} / {loads[-1]}.", "",
             "| command | layout | reports | before (wall / CPU) | after (wall / CPU) | after ÷ before (CPU) | goal |",
             "|---|---|---:|---:|---:|---:|---|"]
    first = results[(layouts[0], sizes[0])]["after"]
    for case in first:
        for layout in layouts:
            for n in sizes:
                before, after = results[(layout, n)]["before"].get(case), results[(layout, n)]["after"][case]
                ratio = f"{after[1] / before[1]:.2f}" if before and before[1] > 0 else "–"
                goal = GOALS.get(case, {}).get(n, "–")
                was = f"{fmt(before[0])} / {fmt(before[1])}" if before else "–"
                lines.append(f"| {case} | {layout} | {n:,} | {was} | "
                             f"{fmt(after[0])} / {fmt(after[1])} | {ratio} | {goal}{verdict(goal, after)} |")
    return "\n".join(lines) + "\n"


def write_section(path, text):
    """Writes this script's section between `<!-- keep:hook -->` markers, which bench.py keeps
    when it rewrites the file."""
    old = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmarks\n"
    section = text
    block = "<!-- keep:hook -->\n" + section.rstrip("\n") + "\n<!-- /keep:hook -->\n"
    marked = re.compile(r"<!-- keep:hook -->.*?<!-- /keep:hook -->\n+", re.S)
    bare = re.compile(re.escape(SECTION) + r".*?(?=^## |^<!-- keep|\Z)", re.S | re.M)
    pattern = marked if marked.search(old) else bare
    if pattern.search(old):
        new = pattern.sub(lambda _: block + "\n", old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + block
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)


def loadavg():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True, help="release binary built from the base commit")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--layouts", default="flat,sharded", help="flat, sharded or both (comma-separated)")
    ap.add_argument("--cases", default=",".join(CASES),
                    help="comma-separated cases to time (default: all); the hook's three rows go together")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--runs-large", type=int, default=1,
                    help="runs at 100,000 reports and more (the before binary takes minutes there)")
    ap.add_argument("--no-build", action="store_true", help="use target/release as it is")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    layouts = args.layouts.split(",")
    cases = args.cases.split(",")
    unknown = [c for c in cases if c not in CASES] + [lay for lay in layouts if lay not in ("flat", "sharded")]
    if unknown:
        sys.exit(f"unknown case or layout: {', '.join(unknown)} (cases: {', '.join(CASES)})")
    if not os.path.exists(GEN):
        sys.exit(f"{GEN} is missing: build it with `cargo build --release --example gen-corpus`")
    if not args.no_build:
        print("building release binary and generator...", flush=True)
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "enigm-disclose", "--example", "gen-corpus"],
                       cwd=ROOT, check=True)
    loads = [loadavg()]
    results = {}
    tmp = tempfile.mkdtemp(prefix="hook-bench-")
    try:
        for layout in layouts:
            for n in sizes:
                corpus = os.path.join(tmp, f"c{n}-{layout}")
                generate(n, corpus, layout == "sharded")
                runs = args.runs if n < 100_000 else args.runs_large
                ids = received(corpus, 2 * runs)
                results[(layout, n)] = {}
                for name, binary, picked in (("before", args.before, ids[:runs]), ("after", AFTER, ids[runs:])):
                    print(f"{n:,} reports ({layout}), {name}...", flush=True)
                    try:
                        results[(layout, n)][name] = measure(binary, corpus, runs, picked, cases)
                    except Failed as e:
                        if name == "after" or layout == "flat":
                            sys.exit(str(e))
                        print(f"  the before binary cannot run on this layout: {str(e).splitlines()[0]}", flush=True)
                        results[(layout, n)][name] = {}
                        git(corpus, "reset", "-q", "--hard")
                        continue
                    print("  " + ", ".join(f"{c}: {fmt(t[0])} / {fmt(t[1])} CPU"
                                           for c, t in results[(layout, n)][name].items()), flush=True)
                shutil.rmtree(corpus, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    loads.append(loadavg())
    argv = ["python3", "benches/hook.py"] + sys.argv[1:]
    text = section(results, sizes, (args.runs, args.runs_large), loads, argv, layouts)
    write_section(args.out, text)
    print(text)


if __name__ == "__main__":
    main()
