#!/usr/bin/env python3
"""Before/after: times `validate` of two enigm-disclose binaries on the same corpora, in one run.

Usage: python3 benches/compare.py --before BIN [--label TEXT] [--sizes 10000,100000] [--runs 5]
                                  [--out docs/benchmarks.md]

Builds this tree's release binary and corpus generator, generates each corpus once, then times
`validate` with both binaries alternately (before, after, before, after, ...), so both see the
same machine load; the figure is the median of each. The result replaces the section between
`<!-- keep:compare -->` and `<!-- /keep -->` in docs/benchmarks.md (bench.py keeps that section
when it rewrites the file). Timings are for reading, never asserted.
"""

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AFTER = os.path.join(ROOT, "target", "release", "enigm-disclose")
GEN = os.path.join(ROOT, "target", "release", "examples", "gen-corpus")
ENV = dict(os.environ, ENIGM_TODAY="2026-11-24", NO_COLOR="1")
START, END = "<!-- keep:compare -->", "<!-- /keep -->"


def timed(argv):
    """Wall seconds and peak RSS (MiB) of one run; exit 0 or 1 (findings) only."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, env=ENV, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return wall, int(p.stderr.strip().splitlines()[-1]) / 1024


def compare(before, corpus, runs):
    walls = {"before": [], "after": []}
    rss = {"before": 0.0, "after": 0.0}
    for _ in range(runs):
        for name, binary in (("before", before), ("after", AFTER)):
            t, m = timed([binary, "-C", corpus, "validate"])
            walls[name].append(t)
            rss[name] = max(rss[name], m)
    return {k: (statistics.median(v), rss[k]) for k, v in walls.items()}


def fmt(t):
    return f"{t * 1000:.0f} ms" if t < 1 else f"{t:.2f} s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True, help="the binary to compare against (built from an older commit)")
    ap.add_argument("--label", default="", help="what the 'before' binary is, e.g. a commit id")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "enigm-disclose", "--example", "gen-corpus"],
                   cwd=ROOT, check=True)
    rows = []
    tmp = tempfile.mkdtemp(prefix="enigm-compare-")
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            corpus = os.path.join(tmp, f"c{n}")
            print(f"corpus {n:,}:", subprocess.run([GEN, str(n), corpus], env=ENV, check=True, capture_output=True,
                                                    text=True).stdout.strip(), flush=True)
            r = compare(args.before, corpus, args.runs if n < 100_000 else max(3, args.runs // 2))
            (tb, mb), (ta, ma) = r["before"], r["after"]
            rows.append(f"| validate, {n:,} reports | {fmt(tb)}, {mb:.0f} MB | {fmt(ta)}, {ma:.0f} MB | {ta / tb:.2f} |")
            print(rows[-1], flush=True)
            shutil.rmtree(corpus, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    cmd = f"python3 benches/compare.py --before {os.path.relpath(args.before, ROOT) if args.before.startswith(ROOT) else args.before}"
    label = f" ({args.label})" if args.label else ""
    section = [
        START,
        "## Before and after",
        "",
        f"Produced by `{cmd}` on {datetime.date.today()}: the `before` binary{label} and this tree's, "
        "timed alternately on the same corpora in one run (median wall time, peak memory). "
        "A ratio below 1 means this tree is faster.",
        "",
        "| what | before | after | after / before |",
        "|---|---:|---:|---:|",
        *rows,
        END,
    ]
    text = open(args.out, encoding="utf-8").read() if os.path.exists(args.out) else "# Benchmarks\n"
    if START in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1] if END in rest else ""
        text = head + "\n".join(section) + tail
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(section) + "\n"
    open(args.out, "w", encoding="utf-8").write(text)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
