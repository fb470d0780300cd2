#!/usr/bin/env python3
"""Benchmarks of enigm-disclose on generated disclosure repositories.

Usage: python3 benches/bench.py [--quick] [--scale-only] [--flat] [--verify-goal] [--out docs/benchmarks.md]

Builds the release binary and the corpus generator, generates corpora under a temporary
directory, times each command (median of several runs, wall clock, peak RSS via
/usr/bin/time) and writes the figures, with this command line and the machine, to
docs/benchmarks.md. Timings are for reading, never asserted: the machine is shared.
"""

import argparse
import datetime
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
BIN = os.path.join(ROOT, "target", "release", "enigm-disclose")
GEN = os.path.join(ROOT, "target", "release", "examples", "gen-corpus")
CSAF = os.path.join(ROOT, "target", "release", "examples", "csaf-export")
ENV = dict(os.environ, ENIGM_TODAY="2026-11-24", NO_COLOR="1",
           GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com",
           GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com")


LAST_CPU = [0.0, 0.0]


def run(cmd, **kw):
    return subprocess.run(cmd, env=ENV, check=True, capture_output=True, text=True, **kw)


def measure(cmd, runs=5, cwd=None, expect=(0,), prepare=None):
    """Median wall seconds, max peak RSS (MiB) and median user/system CPU seconds over `runs`
    runs of `cmd` (a list, or a function of the run number returning one). A run that exits
    with a code outside `expect` stops the benchmark, naming the command: a timed failure is
    not a figure. `prepare(k)`, when given, runs (untimed) before run `k`."""
    walls, rss, cpu = [], [], []
    for k in range(runs):
        if prepare:
            prepare(k)
        argv = cmd(k) if callable(cmd) else cmd
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S"] + argv, env=ENV, cwd=cwd, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        if p.returncode not in expect:
            sys.exit(f"benchmark stopped: `{' '.join(argv)}` exited {p.returncode}, expected "
                     f"{' or '.join(map(str, expect))}:\n{p.stdout[-1000:]}\n{p.stderr[-2000:]}")
        m, u, s = p.stderr.strip().splitlines()[-1].split()
        rss.append(int(m) / 1024)
        cpu.append((float(u), float(s)))
    LAST_CPU[:] = [statistics.median(c[0] for c in cpu), statistics.median(c[1] for c in cpu)]
    return statistics.median(walls), max(rss)


GENERATED = []


def generate(n, directory, commits=None, sharded=False):
    """Runs gen-corpus; records (reports, commits, layout, wall s, CPU s, peak MB) in GENERATED."""
    cmd = [GEN, str(n), directory] + (["--commits", str(commits)] if commits else []) + (["--sharded"] if sharded else [])
    print(f"  generating: {' '.join(cmd[1:])} (load {load()})", flush=True)
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S"] + cmd, env=ENV, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"benchmark stopped: gen-corpus exited {p.returncode}:\n{p.stdout[-1000:]}\n{p.stderr[-2000:]}")
    m, u, sy = p.stderr.strip().splitlines()[-1].split()
    out = p.stdout.strip()
    cpu = float(u) + float(sy)
    GENERATED.append((n, commits or 1, "sharded" if sharded else "flat", wall, cpu, int(m) / 1024))
    print(f"  {out} (wall {wall:.0f} s, CPU {cpu:.0f} s, load {load()})", flush=True)
    if sharded:
        known_layout(directory)
    return out


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def known_layout(corpus):
    """gen-corpus --sharded writes `layout: sharded` into enigm.yaml. A binary that does not
    know the key yet (before the sharded layout lands) refuses the configuration: then the
    work tree's copy goes without it (history, which verify reads, keeps it)."""
    p = subprocess.run([BIN, "-C", corpus, "stats"], env=ENV,
                       capture_output=True, text=True)
    if "config-unknown-key" in p.stdout + p.stderr:
        path = os.path.join(corpus, "enigm.yaml")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("\nlayout: sharded\n", "\n"))
        print("  (this binary does not know `layout:` yet: dropped from the work tree's enigm.yaml)", flush=True)


def front_matters(corpus, dest):
    """Writes each report's front matter as a .yaml file (for check-jsonschema)."""
    os.makedirs(dest)
    reports = os.path.join(corpus, "reports")
    for name in sorted(os.listdir(reports)):
        if not name.endswith(".md"):
            continue
        with open(os.path.join(reports, name), encoding="utf-8") as f:
            text = f.read()
        fm = text.split("\n---\n", 1)[0].removeprefix("---\n")
        with open(os.path.join(dest, name[:-3] + ".yaml"), "w", encoding="utf-8") as f:
            f.write(fm + "\n")


def with_base_url(corpus):
    """Sets render.base_url (the site then writes the CSAF directory with its provider metadata)
    and lets git refresh the index's stat data, as a clone or checkout leaves it."""
    path = os.path.join(corpus, "enigm.yaml")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace("# base_url: https://security.example.com/advisories/",
                             "base_url: https://security.example.com/advisories/"))
    subprocess.run(["git", "-C", corpus, "status", "--short"], env=ENV, check=True, capture_output=True)


def reports_in_state(corpus, state):
    out = []
    reports = os.path.join(corpus, "reports")
    for name in sorted(os.listdir(reports)):
        if name.endswith(".md"):
            with open(os.path.join(reports, name), encoding="utf-8") as f:
                if f"\nstate: {state}\n" in f.read(2000):
                    out.append(name[:-3])
    return out


# Corpora of the scale table: reports and commits (two commits per report, as a team that
# files and advances through the tool makes them). `--quick` keeps to the first two. The
# 100,000-report, 200,000-commit corpus in the sharded layout is the verify goal's (issue 22):
# its `verify` rows are the goal rows. In the flat layout every commit rewrites one tree of all
# reports, so its 100k corpus has 20,000 commits (200,000 would mean hashing ~1 TB of trees).
SCALE = [(1_000, 2_000), (10_000, 20_000), (100_000, 200_000)]
FLAT_100K_COMMITS = 20_000
GOAL = (100_000, 200_000)
GOAL_FULL, GOAL_INCREMENTAL = 20.0, 0.2


def report_files(corpus):
    """Repository-relative paths of the report files, in either layout."""
    out = []
    for top, dirs, files in os.walk(os.path.join(corpus, "reports")):
        rel = os.path.relpath(top, corpus)
        dirs[:] = [d for d in dirs if len(d) == 4 and d.isdigit() and rel == "reports"]
        out += [os.path.join(rel, f) for f in files if f.endswith(".md") and not f.startswith(".")]
    return sorted(out)


def edit_and_stage(corpus, rel, k):
    """Changes one report's body (a hand edit) and stages it: what the pre-commit hook sees."""
    path = os.path.join(corpus, rel)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.rstrip("\n") + f"\n\nEdited for the hook benchmark ({k}).\n")
    run(["git", "-C", corpus, "add", rel])


def scale_cases(d, tmp, n, runs):
    """The scale table's commands on corpus `d`: (name, command, runs, options of measure)."""
    product = re.search(r"- name: (\S+)", open(os.path.join(d, "enigm.yaml")).read()).group(1)
    files = report_files(d)
    one = files[len(files) // 2]
    received = [os.path.basename(f)[:-3] for f in files if "\nstate: received\n" in open(os.path.join(d, f)).read(600)]
    received = received[: 2 * runs]
    staged = files[len(files) // 3]
    advance = lambda k: [BIN, "-C", d, "advance", received[k], "needs-info", "--note", "scale"]
    return [
        ("validate", [BIN, "-C", d, "validate"], runs, {}),
        ("validate ONE", [BIN, "-C", d, "validate", one], runs, {}),
        ("validate --staged (the hook, one report changed)", [BIN, "-C", d, "validate", "--staged"], runs,
         {"prepare": lambda k: edit_and_stage(d, staged, k)}),
        ("list", [BIN, "-C", d, "list"], runs, {}),
        # `due` exits 1 when a deadline is overdue (its alert): the corpora have overdue reports.
        ("due", [BIN, "-C", d, "due"], runs, {"expect": (1,)}),
        ("stats", [BIN, "-C", d, "stats"], runs, {}),
        ("show ID", [BIN, "-C", d, "show", os.path.basename(one)[:-3]], runs, {}),
        ("history ID", [BIN, "-C", d, "history", os.path.basename(one)[:-3]], runs, {}),
        ("render (whole site)", lambda k: [BIN, "-C", d, "render", "--out", os.path.join(tmp, f"site{n}-{k}")], runs,
         {"prepare": lambda k: run(["git", "-C", d, "reset", "-q", "--hard"])}),
        ("verify --full (from scratch)", [BIN, "-C", d, "verify", "--full"], runs, {}),
        ("new", lambda k: [BIN, "-C", d, "new", "--title", f"Scale {k}", "--product", product, "--reporter-name", "B"],
         runs, {}),
        ("advance", advance, runs, {}),
        ("verify (incremental: one new commit)", [BIN, "-C", d, "verify"], runs,
         {"prepare": lambda k: (run([BIN, "-C", d, "verify"]), run(advance(runs + k)))}),
    ]


VERIFY_ROWS = ("verify --full (from scratch)", "verify (incremental: one new commit)")


def scale(tmp, sizes, sharded, goal):
    """Times every command on corpora of the given sizes; returns {command: [(t, m), ...]}.
    `goal` collects the verify rows of the goal corpus: {name: (wall, MB, CPU s)}."""
    table = {}
    for n, commits in sizes:
        d = os.path.join(tmp, f"scale{n}")
        print(f"scale corpus {n:,} reports, {commits:,} commits{' (sharded)' if sharded else ''}:", flush=True)
        generate(n, d, commits=commits, sharded=sharded)
        with_base_url(d)
        runs = 3 if n < 100_000 else 1
        run(["git", "-C", d, "commit", "-qam", "render.base_url for the benchmark"])
        for name, cmd, k, opts in scale_cases(d, tmp, n, runs):
            t, m = measure(cmd, runs=k, **opts)
            print(f"  {name}: {t:.3f} s, {m:.0f} MB, CPU {sum(LAST_CPU):.2f} s (load {load()})", flush=True)
            table.setdefault(name, []).append((t, m))
            if sharded and (n, commits) == GOAL and name in VERIFY_ROWS:
                goal[name] = (t, m, sum(LAST_CPU))
            if name == "render (whole site)":
                for j in range(runs):
                    shutil.rmtree(os.path.join(tmp, f"site{n}-{j}"), ignore_errors=True)
        shutil.rmtree(d, ignore_errors=True)
    return table


def verify_goal(tmp, goal):
    """The verify goal corpus on its own (when the scale table did not cover it): `verify --full`
    from scratch, then the incremental run after a recorded one and one new commit."""
    d = os.path.join(tmp, "goal")
    print(f"verify goal corpus {GOAL[0]:,} reports, {GOAL[1]:,} commits (sharded):", flush=True)
    generate(GOAL[0], d, commits=GOAL[1], sharded=True)
    files = report_files(d)
    received = [os.path.basename(f)[:-3] for f in files if "\nstate: received\n" in open(os.path.join(d, f)).read(600)]
    advance = lambda k: [BIN, "-C", d, "advance", received[k], "needs-info", "--note", "goal"]
    cases = [(VERIFY_ROWS[0], [BIN, "-C", d, "verify", "--full"], {}),
             (VERIFY_ROWS[1], [BIN, "-C", d, "verify"],
              {"prepare": lambda k: (run([BIN, "-C", d, "verify"]), run(advance(k)))})]
    for name, cmd, opts in cases:
        t, m = measure(cmd, runs=3, **opts)
        goal[name] = (t, m, sum(LAST_CPU))
        print(f"  {name}: {t:.3f} s, {m:.0f} MB, CPU {sum(LAST_CPU):.2f} s (load {load()})", flush=True)
    shutil.rmtree(d, ignore_errors=True)


def goal_lines(goal):
    if not goal:
        return []
    lines = ["", "### The verify goal (issue 22)", "",
             f"`verify` on {GOAL[0]:,} reports and {GOAL[1]:,} commits, sharded layout: median wall time, "
             "peak memory and CPU time (user + system; on a loaded machine the CPU time bounds what a quiet "
             "2-core machine would take better than the wall time does).", "",
             "| run | wall | peak memory | CPU | goal | met (wall) |", "|---|---:|---:|---:|---:|---|"]
    for name, limit in zip(VERIFY_ROWS, (GOAL_FULL, GOAL_INCREMENTAL)):
        if name in goal:
            t, m, cpu = goal[name]
            wall = f"{t * 1000:.0f} ms" if t < 1 else f"{t:.2f} s"
            target = f"{limit * 1000:.0f} ms" if limit < 1 else f"{limit:.0f} s"
            lines.append(f"| {name} | {wall} | {m:.0f} MB | {cpu:.2f} s | < {target} | {'yes' if t < limit else '**no**'} |")
    return lines


def generated_lines():
    if not GENERATED:
        return []
    lines = ["", "Generating the corpora (`gen-corpus`, release build):", "",
             "| reports | commits | layout | wall | CPU | peak memory |", "|---:|---:|---|---:|---:|---:|"]
    for n, c, layout, wall, cpu, m in GENERATED:
        lines.append(f"| {n:,} | {c:,} | {layout} | {wall:.1f} s | {cpu:.1f} s | {m:.0f} MB |")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the 100,000-report corpora (the scale table keeps to 1k/10k)")
    ap.add_argument("--scale-only", action="store_true", help="only the scale table (rewrites its section of --out)")
    ap.add_argument("--no-build", action="store_true", help="use the release binaries as they are (no cargo build)")
    ap.add_argument("--sharded", action="store_true", help="(the default) scale corpora in the sharded layout (reports/<YEAR>/<ID>.md)")
    ap.add_argument("--flat", action="store_true", help="scale corpora in the flat layout (reports/<ID>.md); its 100k corpus has 20,000 commits")
    ap.add_argument("--verify-goal", action="store_true", help="also with --quick: the verify goal corpus (100k reports, 200k commits, sharded)")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    args = ap.parse_args()
    args.sharded = not args.flat

    print("building release binary and generator...", flush=True)
    subprocess.run(["true"] if args.no_build else ["cargo", "build", "--release", "--quiet", "--bin", "enigm-disclose", "--example", "gen-corpus",
                    "--example", "csaf-export"], cwd=ROOT, check=True)
    rows = []

    class Rows(list):
        def append(self, row):
            super().append(row + (tuple(LAST_CPU),))

    rows = Rows()
    tmp = tempfile.mkdtemp(prefix="enigm-bench-")
    sizes = SCALE[:2] if args.quick else SCALE
    if args.flat:
        sizes = [(n, FLAT_100K_COMMITS if n == 100_000 else c) for n, c in sizes]
    goal = {}
    if args.scale_only:
        try:
            scaled = scale(tmp, sizes, args.sharded, goal)
            if args.verify_goal or not args.quick and len(goal) < len(VERIFY_ROWS):
                verify_goal(tmp, goal)
            write_scale(args, scaled, sizes, goal)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    try:
        c10k = os.path.join(tmp, "c10k")
        print("corpus 10k:", flush=True)
        generate(10_000, c10k)
        one = os.path.join("reports", sorted(x for x in os.listdir(os.path.join(c10k, "reports")) if x.endswith(".md"))[0])

        t, m = measure([BIN, "-C", c10k, "validate"])
        rows.append(("validate, 10,000 reports", t, m, "< 0.4 s"))
        validate_10k = t
        t, m = measure([BIN, "-C", c10k, "validate", one], runs=10)
        rows.append(("validate PATH (one file), 10,000 reports", t, m, "< 30 ms"))

        product = re.search(r"- name: (\S+)", open(os.path.join(c10k, "enigm.yaml")).read()).group(1)
        t, m = measure([BIN, "-C", c10k, "new", "--title", "Benchmark report", "--product", product,
                        "--reporter-name", "Bench"], runs=10)
        rows.append(("new (allocate id, write, commit), 10,000 reports", t, m, "< 100 ms"))

        ids = sorted(x[:-3] for x in os.listdir(os.path.join(c10k, "reports")) if x.endswith(".md"))
        t, m = measure(lambda k: [BIN, "-C", c10k, "show", ids[k * 997 % len(ids)]], runs=10)
        rows.append(("show ID (fields, deadlines, timeline, body), 10,000 reports", t, m, "< 50 ms"))
        t, m = measure([BIN, "-C", c10k, "list"], runs=5)
        rows.append(("list (table of every report), 10,000 reports", t, m, "–"))

        received = reports_in_state(c10k, "received")[:10]
        t, m = measure(lambda k: [BIN, "-C", c10k, "advance", received[k], "needs-info", "--note", "bench"], runs=len(received))
        rows.append(("advance (guards, edit, commit), 10,000 reports", t, m, "< 100 ms"))

        # check-jsonschema on the same front matter and schema, if installed.
        cj = shutil.which("check-jsonschema")
        compare = None
        if cj:
            fm = os.path.join(tmp, "fm")
            front_matters(c10k, fm)
            files = sorted(os.path.join(fm, x) for x in os.listdir(fm))
            t_cj, _ = measure([cj, "--schemafile", os.path.join(ROOT, "schemas", "report.schema.json")] + files, runs=1)
            compare = (t_cj, validate_10k)
            rows.append(("check-jsonschema, same 10,000 front matters, same schema", t_cj, None, "reference"))

        c25k = os.path.join(tmp, "c25k")
        print("corpus 25k (about 10k published):", flush=True)
        generate(25_000, c25k)
        with_base_url(c25k)
        published = len(reports_in_state(c25k, "published")) + len(reports_in_state(c25k, "withdrawn"))
        site = os.path.join(tmp, "site")
        t, m = measure(lambda k: [BIN, "-C", c25k, "render", "--out", site + str(k)], runs=3)
        rows.append((f"render the full site, {published:,} public advisories (of 25,000 reports)", t, m, "< 3 s for 10,000"))
        t, m = measure([BIN, "-C", c25k, "render", "--out", site + "0"], runs=3)
        rows.append(("re-render the same site (nothing changed)", t, m, "–"))
        csaf = os.path.join(tmp, "csaf")
        t, m = measure(lambda k: [CSAF, c25k, csaf + str(k), "--limit", "10000"], runs=5)
        rows.append(("export 10,000 public advisories to CSAF (`csaf-export`: read, revisions, build, write)", t, m, "< 3 s"))
        shutil.rmtree(c25k, ignore_errors=True)

        hist = os.path.join(tmp, "hist")
        print("corpus 10k with 50k commits:", flush=True)
        generate(10_000, hist, commits=50_000)
        with_base_url(hist)
        t, m = measure([BIN, "-C", hist, "verify"], runs=3)
        rows.append(("verify, 10,000 reports, 50,000 commits", t, m, "< 10 s"))
        mid = sorted(x[:-3] for x in os.listdir(os.path.join(hist, "reports")) if x.endswith(".md"))[5_000]
        t, m = measure([BIN, "-C", hist, "history", mid], runs=3)
        rows.append((f"history of a mid-history report ({mid}), 50,000 commits", t, m, "–"))
        public = reports_in_state(hist, "published")
        t, m = measure([BIN, "-C", hist, "render", public[len(public) // 2], "--format", "csaf"], runs=3)
        rows.append(("render ID --format csaf (revisions from git), 50,000 commits", t, m, "–"))
        t, m = measure(lambda k: [CSAF, hist, os.path.join(tmp, "csafh") + str(k)], runs=3)
        n = len(public) + len(reports_in_state(hist, "withdrawn"))
        rows.append((f"CSAF export of {n:,} public advisories (revisions from git), 50,000 commits", t, m, "–"))

        scaled = scale(tmp, sizes, args.sharded, goal)
        if args.verify_goal or not args.quick and len(goal) < len(VERIFY_ROWS):
            verify_goal(tmp, goal)

        if not args.quick:
            c100k = os.path.join(tmp, "c100k")
            print("corpus 100k:", flush=True)
            generate(100_000, c100k)
            t, m = measure([BIN, "-C", c100k, "validate"], runs=3)
            rows.append(("validate, 100,000 reports", t, m, "< 3 s, < 200 MB"))
            t, m = measure([BIN, "-C", c100k, "list"], runs=5)
            rows.append(("list (table of every report), 100,000 reports", t, m, "< 2 s"))
            t, m = measure([BIN, "-C", c100k, "list", "--open", "--sort", "deadline", "--format", "json"], runs=5)
            rows.append(("list --open --sort deadline --format json, 100,000 reports", t, m, "< 2 s"))
            t, m = measure([BIN, "-C", c100k, "due"], runs=5)
            rows.append(("due (overdue and due within 14 days), 100,000 reports", t, m, "< 2 s"))
            t, m = measure([BIN, "-C", c100k, "stats"], runs=3)
            rows.append(("stats, 100,000 reports", t, m, "–"))
            ids = sorted(x[:-3] for x in os.listdir(os.path.join(c100k, "reports")) if x.endswith(".md"))
            t, m = measure(lambda k: [BIN, "-C", c100k, "show", ids[k * 9973 % len(ids)]], runs=10)
            rows.append(("show ID, 100,000 reports", t, m, "–"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    write(args, rows, compare, scaled, sizes, goal)


def command_line(args):
    flags = [f for f, on in (("--quick", args.quick), ("--scale-only", args.scale_only), ("--flat", args.flat),
                             ("--verify-goal", args.verify_goal)) if on]
    return " ".join(["python3 benches/bench.py"] + flags)


def scale_lines(scaled, sizes, args):
    head = " | ".join(f"{n // 1000}k reports, {c // 1000}k commits" for n, c in sizes)
    steps = " | ".join(f"×, {a // 1000}k→{b // 1000}k" for (a, _), (b, _) in zip(sizes, sizes[1:]))
    layout = "sharded (`--sharded`: `reports/<YEAR>/<ID>.md`)" if args.sharded else "flat (`reports/<ID>.md`)"
    lines = ["", "## Scale", "",
             f"Produced by `{command_line(args)}` on {datetime.date.today()}, load average {load()} at the end "
             "(2 cores shared with other builds: absolute times are inflated, ratios within the run hold). "
             f"Each command on corpora from `gen-corpus N DIR --commits M`, layout {layout}: median wall time "
             "and peak memory; the ratio columns divide the time at one size by the time at the size below "
             "(10× more reports: about 10 means linear, less means fixed costs still dominate). Every timed "
             "run must exit as expected (0; `due` 1, its overdue alert), or the benchmark stops.", "",
             f"| command | {head} | {steps} |", "|---|" + "---:|" * (len(sizes) * 2 - 1)]
    for name, cells in scaled.items():
        shown = []
        for t, m in cells:
            wall = f"{t * 1000:.0f} ms" if t < 1 else f"{t:.2f} s"
            shown.append(f"{wall}, {m:.0f} MB")
        ratios = [f"{cells[i + 1][0] / cells[i][0]:.1f}" for i in range(len(cells) - 1)]
        lines.append(f"| {name} | {' | '.join(shown)} | {' | '.join(ratios)} |")
    return lines


def write_scale(args, scaled, sizes, goal):
    """Replaces the `## Scale` section of --out (up to the next section or kept block)."""
    try:
        old = open(args.out, encoding="utf-8").read()
    except OSError:
        old = "# Benchmarks\n"
    new = "\n".join(scale_lines(scaled, sizes, args) + goal_lines(goal) + generated_lines() + ["", SCALE_NOTES, ""])
    m = re.search(r"\n## Scale\n.*?(?=\n## |\n<!-- keep|\Z)", old, flags=re.S)
    text = old[: m.start()] + new + old[m.end():] if m else old.rstrip("\n") + "\n" + new
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(new)


def write(args, rows, compare, scaled=None, sizes=SCALE, goal=None):
    cmd = command_line(args)
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.+)", f.read())
            cpu = m.group(1) if m else ""
    except OSError:
        pass
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `{cmd}` on {datetime.date.today()} ({os.cpu_count()} cores, {cpu or platform.machine()}, "
        "release build). Each figure is the median wall time of several runs and the peak resident memory; "
        "the corpora come from `cargo run --release --example gen-corpus -- N DIR` (realistic reports in "
        "every state, committed to git). The machine is shared, so figures move by ±20 % between runs; "
        "tests never assert timings.",
        "",
        "| what | wall | CPU user / system | peak memory | target |",
        "|---|---:|---:|---:|---|",
    ]
    for what, t, m, target, (u, sy) in rows:
        wall = f"{t * 1000:.0f} ms" if t < 1 else f"{t:.2f} s"
        mem = f"{m:.0f} MB" if m is not None else "–"
        lines.append(f"| {what} | {wall} | {u:.2f} s / {sy:.2f} s | {mem} | {target} |")
    lines += ["", "Writing the site is dominated by the file system. On this shared machine the system time of "
              "creating ~33,700 files varied from about 1 s to 10 s between runs of the same binary, while the "
              "user time stayed near 1.4 s for 11,000 advisories. Rendering is parallel; writes are sequential, "
              "because two threads creating files in the same directories quadrupled system time.",
              "",
              "`list` and `due` stream the reports: each file is parsed in parallel and reduced to its row (or "
              "its due deadlines) at once, so memory holds rows, not parsed reports. Most of their time is YAML "
              "scanning (saphyr-parser, about 35 % of CPU in `perf`), then reading the files."]
    if compare:
        t_cj, t_ours = compare
        lines += ["", f"`validate` is **{t_cj / t_ours:.0f}×** faster than check-jsonschema on the same 10,000 front "
                  f"matters and schema ({t_cj:.1f} s vs {t_ours:.2f} s) — and it also parses the Markdown, runs every "
                  "semantic check and scans for secrets. check-jsonschema was installed with `pip install check-jsonschema`."]
    else:
        lines += ["", "check-jsonschema was not installed, so the comparison was skipped (`pip install check-jsonschema`)."]
    if scaled:
        lines += scale_lines(scaled, sizes, args) + goal_lines(goal) + generated_lines()
        lines += ["", SCALE_NOTES]
    lines.append("")
    # Sections other scripts own (`<!-- keep:NAME -->` … `<!-- /keep -->` or
    # `<!-- /keep:NAME -->`, e.g. compare.py's before/after table, sealed.py's figures)
    # survive a rewrite.
    try:
        old = open(args.out, encoding="utf-8").read()
    except OSError:
        old = ""
    kept = [m.group(0) for m in re.finditer(r"<!-- keep:([a-z-]+) -->.*?<!-- /keep(?::\1)? -->", old, flags=re.S)]
    lines += [block + "\n" for block in kept]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


SCALE_NOTES = """How each grows:

- `validate`, `list` and `due` read and parse every report once, in parallel: linear in the number of
  reports (the ratio at 10k→100k is about 10), with memory bounded by what they keep (findings, rows).
- `render` is linear in public advisories, plus one walk of the history for the CSAF revisions
  (linear in commits; every corpus has two commits per report). Its wall time follows the file
  system (four to five files per advisory).
- `new` and `advance` touch one report: they grow only with the listing of `reports/` and the git
  index (reading the index and one status check), which is linear with a small constant.
- `verify --full` walks every commit, skips those whose `reports/` tree (and, sharded, year
  shard) kept its id, and compares the changed tree with its parent's as bytes: the common
  prefix and suffix at memory speed, then only the entries between them (entry offsets come
  from the previous version, never guessed). It grows with commits × the bytes of the tree a
  commit touched (the flat `reports/`, or one year's shard); the blobs of changed files are
  parsed in parallel. The incremental `verify` (one new commit after a recorded run) walks
  only that commit: its time is the start-up and the check whether the record is an ancestor
  of HEAD.
- `gen-corpus` rewrites, per commit, the tree of the report it changed (hashing it and storing
  it as a delta of its previous version, in packs it writes itself): the flat layout costs
  commits × reports; the sharded one commits × one year's reports."""

if __name__ == "__main__":
    main()
