#!/usr/bin/env python3
"""The commands people wait for at every commit, at 10,000 and 100,000 reports: the pre-commit
hook (`validate --staged`, and a real `git commit` through the installed hook), `validate`,
`validate ONE`, `new`, `advance`, `list` and `due`. Each is timed with the binary before the
change (`--before BIN`, a release build of the base commit) and after (this tree's release
build), median of several runs, on corpora made by `gen-corpus` (one commit: history is not
what these commands read). Writes its own `## …` section of docs/benchmarks.md, with the command
line and the load average seen. Fails when a timed command exits non-zero.

    python3 benches/hook.py --before /tmp/hook-base-bin [--sizes 10000,100000] [--runs 5]
"""

import argparse
import os
import re
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


def run(cmd, cwd=None, ok=(0,)):
    """Runs `cmd`; returns its wall time in seconds. Any other exit than `ok` fails the benchmark."""
    start = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True)
    elapsed = time.perf_counter() - start
    if p.returncode not in ok:
        sys.exit(f"FAILED (exit {p.returncode}): {' '.join(cmd)}\n{p.stdout.decode()[-2000:]}\n{p.stderr.decode()[-2000:]}")
    return elapsed


def median(cmd_of, runs, prepare=None, cwd=None, ok=(0,)):
    """Median wall time of `runs` runs of `cmd_of(k)`, after `prepare(k)` (untimed)."""
    times = []
    for k in range(runs):
        if prepare:
            prepare(k)
        times.append(run(cmd_of(k), cwd=cwd, ok=ok))
    return statistics.median(times)


def git(corpus, *args):
    subprocess.run(["git", "-C", corpus, *args], env=ENV, check=True, capture_output=True)


def generate(n, dest):
    print(f"generating {n:,} reports in {dest}...", flush=True)
    subprocess.run([GEN, str(n), dest, "--commits", "1"], check=True, capture_output=True)
    # Let git record the files' stat data in the index, as a clone leaves it.
    git(dest, "status", "--short")


def received(corpus, count):
    out = []
    reports = os.path.join(corpus, "reports")
    for name in sorted(os.listdir(reports)):
        if name.endswith(".md"):
            with open(os.path.join(reports, name), encoding="utf-8") as f:
                if "\nstate: received\n" in f.read(2000):
                    out.append(name[:-3])
                    if len(out) == count:
                        break
    return out


def touch_report(corpus, rel, k):
    """Changes one report's body (a line appended) and stages it."""
    with open(os.path.join(corpus, rel), "a", encoding="utf-8") as f:
        f.write(f"\nBenchmark note {k} at {time.time()}.\n")
    git(corpus, "add", rel)


def measure(binary, corpus, runs, ids):
    """{case: median seconds} for one binary on one corpus."""
    b = binary
    one = os.path.join("reports", max(x for x in os.listdir(os.path.join(corpus, "reports")) if x.endswith(".md")))
    product = re.search(r"- name: (\S+)", open(os.path.join(corpus, "enigm.yaml"), encoding="utf-8").read()).group(1)
    r = {}
    few = min(runs, 3)
    r["validate"] = median(lambda k: [b, "-C", corpus, "validate"], few)
    r["validate ONE"] = median(lambda k: [b, "-C", corpus, "validate", one], runs)
    r["list"] = median(lambda k: [b, "-C", corpus, "list"], few)
    # `due` exits 1 when something is overdue (a finding, as documented), which a corpus has.
    r["due"] = median(lambda k: [b, "-C", corpus, "due"], few, ok=(0, 1))
    r["new"] = median(lambda k: [b, "-C", corpus, "new", "--title", f"Hook bench {k}", "--product", product,
                                 "--reporter-name", "Bench"], runs)
    r["advance"] = median(lambda k: [b, "-C", corpus, "advance", ids[k], "needs-info", "--note", "bench"], runs)
    # The hook: one report changed and staged each run.
    r["validate --staged"] = median(lambda k: [b, "-C", corpus, "validate", "--staged"], runs,
                                    prepare=lambda k: touch_report(corpus, one, k))
    git(corpus, "commit", "-q", "--no-verify", "-m", "bench: staged edits")
    run([b, "-C", corpus, "hook", "install", "--force"])
    with_hook = median(lambda k: ["git", "-C", corpus, "commit", "-q", "-m", f"bench {k}"], runs,
                       prepare=lambda k: touch_report(corpus, one, 100 + k))
    bare = median(lambda k: ["git", "-C", corpus, "commit", "-q", "--no-verify", "-m", f"bench nv {k}"], runs,
                  prepare=lambda k: touch_report(corpus, one, 200 + k))
    run([b, "-C", corpus, "hook", "uninstall"])
    r["git commit with the hook"] = with_hook
    r["git commit --no-verify"] = bare
    r["hook (commit − no-verify)"] = max(0.0, with_hook - bare)
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


def section(results, sizes, runs, loads, argv):
    lines = [SECTION, "",
             "What a commit, a check and a filing cost with many reports: each command with the binary of "
             "the base commit (before) and of this tree (after), median of "
             f"{runs[0]} runs below 100,000 reports and {runs[1]} at 100,000 (at most 3 for `validate`, `list`, "
             "`due`), release builds, corpora from "
             "`gen-corpus N DIR --commits 1`. The hook is timed two ways: `validate --staged` with one report "
             "changed and staged, and a real `git commit` through the installed hook minus the same commit "
             "with `--no-verify`. The machine is shared while these run: absolute times are inflated; compare "
             "before and after within one run.", "",
             f"Command: `{' '.join(argv)}`; load average (1, 5, 15 min) at the start and the end: "
             f"{loads[0]} / {loads[-1]}.", "",
             "| command | reports | before | after | after ÷ before | goal |",
             "|---|---:|---:|---:|---:|---|"]
    for case in results[sizes[0]]["after"]:
        for n in sizes:
            before, after = results[n]["before"][case], results[n]["after"][case]
            ratio = f"{after / before:.2f}" if before > 0 else "–"
            lines.append(f"| {case} | {n:,} | {fmt(before)} | {fmt(after)} | {ratio} | {GOALS.get(case, {}).get(n, '–')} |")
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
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--runs-large", type=int, default=1,
                    help="runs at 100,000 reports and more (the before binary takes minutes there)")
    ap.add_argument("--no-build", action="store_true", help="use target/release as it is")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
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
        for n in sizes:
            corpus = os.path.join(tmp, f"c{n}")
            generate(n, corpus)
            runs = args.runs if n < 100_000 else args.runs_large
            ids = received(corpus, 2 * runs)
            results[n] = {}
            for name, binary, picked in (("before", args.before, ids[:runs]), ("after", AFTER, ids[runs:])):
                print(f"{n:,} reports, {name}...", flush=True)
                results[n][name] = measure(binary, corpus, runs, picked)
                print("  " + ", ".join(f"{c}: {fmt(t)}" for c, t in results[n][name].items()), flush=True)
            shutil.rmtree(corpus, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    loads.append(loadavg())
    argv = ["python3", "benches/hook.py"] + sys.argv[1:]
    text = section(results, sizes, (args.runs, args.runs_large), loads, argv)
    write_section(args.out, text)
    print(text)


if __name__ == "__main__":
    main()
