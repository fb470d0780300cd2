#!/usr/bin/env python3
"""`render` at scale: a full site, a re-render with nothing changed and a re-render after one
report changed, at 10,000 and 100,000 reports (about 40 % of them public), for two binaries
side by side (before: a build of the branch base; after: this tree's release build).

Usage: python3 benches/render_scale.py --before /tmp/base-bin [--sizes 10000,100000]
       [--commits 1] [--commits-10k M] [--runs 3] [--out docs/benchmarks.md] [--no-build]
       [--work DIR [--keep]]

Every corpus gets the same history (`--commits`, default 1: one import commit), so the growth
ratio of the full render compares like with like; `--commits-10k` gives the 10,000-report
corpus another one (20,000 measures the revision cache, not linearity). The full render is
the cold figure (no site, no `.git/enigm/`); the two re-renders are warm (the render state,
page cache and revision cache of the run before).

Builds the release binary and the corpus generator (unless --no-build), generates each corpus
under a temporary directory (deleted at the end), times each command (wall clock, peak RSS
and CPU via /usr/bin/time, median of --runs runs for the smaller corpora) and writes its own
`## Render at scale` section of docs/benchmarks.md with this command line and the load
average, ending with the issue 22 goals at the largest corpus (growth, peak memory, the
re-render after one change) and whether each is met. A timed command that exits non-zero stops the script with its error. Timings are for
reading, never asserted: the machine is shared.
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
ENV = dict(os.environ, ENIGM_TODAY="2026-11-24", NO_COLOR="1",
           GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com",
           GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com")
SECTION = "## Render at scale"


def run(cmd, **kw):
    return subprocess.run(cmd, env=ENV, check=True, capture_output=True, text=True, **kw)


def timed(argv):
    """Wall seconds, peak RSS (MiB), user and system CPU seconds of one run; exits on failure."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S"] + argv, env=ENV, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    m, u, s = p.stderr.strip().splitlines()[-1].split()
    return wall, int(m) / 1024, float(u), float(s)


def measure(make_argv, runs):
    """Median wall, max RSS and median CPU over `runs` runs (`make_argv(k)` gives run k's argv)."""
    got = [timed(make_argv(k)) for k in range(runs)]
    return (statistics.median(g[0] for g in got), max(g[1] for g in got),
            statistics.median(g[2] + g[3] for g in got))


def generate(n, directory, commits):
    """A corpus of `n` reports in `directory` (kept when it is already there: --work), with
    `render.base_url` set."""
    if not os.path.isdir(os.path.join(directory, ".git")):
        run([GEN, str(n), directory] + (["--commits", str(commits)] if commits and commits > 1 else []))
    path = os.path.join(directory, "enigm.yaml")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    commented = "# base_url: https://security.example.com/advisories/"
    if commented in text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(commented, commented[2:]))
        run(["git", "-C", directory, "commit", "-qam", "render.base_url"])


def public_reports(corpus):
    out = []
    for dirpath, _, names in os.walk(os.path.join(corpus, "reports")):
        for name in sorted(names):
            if name.endswith(".md"):
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    head = f.read(2000)
                if "\nstate: published\n" in head or "\nstate: withdrawn\n" in head:
                    out.append(os.path.join(dirpath, name))
    return sorted(out)


def edit_one(corpus, path, k):
    """One public edit of one published report, committed (a reference added)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    url = f"https://example.com/bench/edit-{k}"
    if "\nreferences:\n" in text:
        text = text.replace("\nreferences:\n", f"\nreferences:\n  - type: web\n    url: {url}\n", 1)
    else:
        text = text.replace("\nstate: published\n", f"\nstate: published\nreferences:\n  - type: web\n    url: {url}\n", 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    run(["git", "-C", corpus, "commit", "-qam", f"bench: edit {k}"])


def du_mib(path):
    return int(run(["du", "-sm", path]).stdout.split()[0])


def bench(binaries, n, commits, runs, tmp):
    corpus = os.path.join(tmp, f"c{n}")
    print(f"corpus {n:,} reports ({commits or 1} commits)...", flush=True)
    generate(n, corpus, commits)
    public = public_reports(corpus)
    published = [p for p in public if "\nstate: published\n" in open(p, encoding="utf-8").read(2000)]
    size = du_mib(corpus)
    rows = {}
    for label, binary in binaries:
        sites = os.path.join(tmp, f"sites-{label}-{n}")
        # Every run of the full render starts with an empty site and no revision cache.
        def full(k):
            shutil.rmtree(os.path.join(corpus, ".git", "enigm"), ignore_errors=True)
            return [binary, "-C", corpus, "render", "--out", os.path.join(sites, f"full{k}")]
        print(f"  {label}: full render", flush=True)
        rows[(label, "full")] = measure(full, runs)
        site = os.path.join(sites, "full0")
        print(f"  {label}: re-render, nothing changed", flush=True)
        rows[(label, "same")] = measure(lambda k: [binary, "-C", corpus, "render", "--out", site], runs)
        edits = []
        for k in range(runs):
            edit_one(corpus, published[(k * 7919) % len(published)], f"{label}-{n}-{k}")
            edits.append(timed([binary, "-C", corpus, "render", "--out", site]))
        rows[(label, "edit")] = (statistics.median(e[0] for e in edits), max(e[1] for e in edits),
                                 statistics.median(e[2] + e[3] for e in edits))
        shutil.rmtree(sites)
    return {"n": n, "commits": commits or 1, "public": len(public), "size": size, "rows": rows}


def table(results, labels):
    lines = ["| reports (public; commits) | run | " + " | ".join(f"{l}: wall s / peak MiB / CPU s" for l in labels) + " |",
             "|---|---|" + "---|" * len(labels)]
    names = {"full": "full render into an empty directory",
             "same": "re-render, nothing changed",
             "edit": "re-render after one report changed (one commit)"}
    for r in results:
        for key in ("full", "same", "edit"):
            cells = []
            for l in labels:
                wall, rss, cpu = r["rows"][(l, key)]
                cells.append(f"{wall:.2f} / {rss:,.0f} / {cpu:.1f}")
            head = f"{r['n']:,} ({r['public']:,}; {r['commits']:,})"
            lines.append(f"| {head} | {names[key]} | " + " | ".join(cells) + " |")
    return lines


def growth(results, labels):
    out = []
    for a, b in zip(results, results[1:]):
        for l in labels:
            ratio = b["rows"][(l, "full")][0] / a["rows"][(l, "full")][0]
            cpu = b["rows"][(l, "full")][2] / a["rows"][(l, "full")][2]
            like = "" if a["commits"] == b["commits"] else " (different histories: not like-for-like)"
            out.append(f"- {l}: full render {a['n']:,} → {b['n']:,} reports ({b['n'] / a['n']:.0f}× the reports): "
                       f"{ratio:.1f}× the wall time, {cpu:.1f}× the CPU time (goal: at most 11×){like}")
    return out


def goals(results, labels):
    """The issue 22 goals at the largest corpus: the full render's growth from the size below
    (CPU time, at most 11x for 10x the reports), its peak memory (under 1 GiB) and the
    re-render after one report changed (under 1 s; the CPU time bounds what a quiet 2-core
    machine takes when the wall time is inflated by load)."""
    if not results:
        return []
    big, out = results[-1], ["", "| goal (issue 22), at the largest corpus | " + " | ".join(labels) + " |",
                             "|---|" + "---|" * len(labels)]
    cells = lambda f: " | ".join(f(l) for l in labels)
    if len(results) > 1:
        small = results[-2]
        ratio = lambda l: big["rows"][(l, "full")][2] / small["rows"][(l, "full")][2]
        out.append(f"| full render {small['n']:,} → {big['n']:,}: CPU × at most 11 | "
                   + cells(lambda l: f"{ratio(l):.1f}× ({'met' if ratio(l) <= 11 else 'not met'})") + " |")
    peak = lambda l: big["rows"][(l, "full")][1]
    out.append("| full render: peak under 1,024 MiB | "
               + cells(lambda l: f"{peak(l):,.0f} MiB ({'met' if peak(l) < 1024 else 'not met'})") + " |")
    edit = lambda l: big["rows"][(l, "edit")]
    out.append("| re-render after one change: under 1 s (wall / CPU) | "
               + cells(lambda l: f"{edit(l)[0]:.2f} s / {edit(l)[2]:.2f} s "
                       f"({'met' if edit(l)[0] < 1 else 'met in CPU time' if edit(l)[2] < 1 else 'not met'})") + " |")
    return out


def write_section(path, lines):
    """Writes this script's section between `<!-- keep:render -->` markers, which bench.py keeps
    when it rewrites the file."""
    old = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmarks\n"
    section = "\n".join([SECTION, ""] + lines)
    block = "<!-- keep:render -->\n" + section.rstrip("\n") + "\n<!-- /keep:render -->\n"
    marked = re.compile(r"<!-- keep:render -->.*?<!-- /keep:render -->\n+", re.S)
    bare = re.compile(re.escape(SECTION) + r".*?(?=^## |^<!-- keep|\Z)", re.S | re.M)
    pattern = marked if marked.search(old) else bare
    if pattern.search(old):
        new = pattern.sub(lambda _: block + "\n", old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + block
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True, help="the binary built from the branch base")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--commits", type=int, default=1, help="history of every corpus (like-for-like growth)")
    ap.add_argument("--commits-10k", type=int, help="another history for the 10k corpus")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure below 100,000 reports")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--work", help="generate the corpora here (c<N>/), reusing those already there; "
                    "deleted at the end unless --keep")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if not args.no_build:
        run(["cargo", "build", "--release", "--bin", "enigm-disclose", "--example", "gen-corpus"], cwd=ROOT)
    labels = ["before", "after"]
    binaries = [("before", args.before), ("after", AFTER)]
    load = [open("/proc/loadavg").read().split()[:3]]
    tmp = args.work or tempfile.mkdtemp(prefix="render-scale-")
    os.makedirs(tmp, exist_ok=True)
    results = []
    try:
        for n in [int(x) for x in args.sizes.split(",")]:
            commits = args.commits_10k if n == 10000 and args.commits_10k else args.commits
            results.append(bench(binaries, n, commits, args.runs if n < 100000 else 1, tmp))
            load.append(open("/proc/loadavg").read().split()[:3])
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    argv = " ".join(["python3", "benches/render_scale.py"] + sys.argv[1:])
    lines = [f"Made with `{argv}`; load average (1/5/15 min) before and after each corpus: "
             + ", ".join("/".join(l) for l in load) + " on 2 cores shared with other builds, so absolute "
             "times are inflated; compare the columns of one run. Corpora from `gen-corpus` (about 40 % "
             "public, `render.base_url` set so the CSAF directory is written); corpus sizes on disk: "
             + ", ".join(f"{r['n']:,}: {r['size']:,} MiB" for r in results) + ".", ""]
    lines += table(results, labels) + [""] + growth(results, labels) + goals(results, labels)
    write_section(args.out, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
