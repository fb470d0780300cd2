#!/usr/bin/env python3
"""Secret-scanning benchmark: recall and false-positive rate of enigm-disclose's scanner and of
detect-secrets on the same corpus (tests/fixtures/secrets/, manifest.tsv says which lines are
secrets and which are look-alikes), written into docs/benchmarks.md between
`<!-- keep:secrets -->` and `<!-- /keep -->` (bench.py keeps that section).

    python3 benches/secrets.py

detect-secrets is installed with pip into a venv under target/ on first use. A case counts as
found when a finding touches one of its lines; a finding on a look-alike, or on a line that is
no case at all, is a false positive (rate over the number of look-alikes)."""
import collections, datetime, json, os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "tests", "fixtures", "secrets")
VENV = os.path.join(ROOT, "target", "secrets-bench-venv")
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
COMMAND = "python3 benches/secrets.py"
# Measured by hand (the machine is shared; this script does not time anything): the release
# binary before and after the scanner rewrite, 15 runs each, interleaved.
SPEED = """Speed, measured by hand on 2026-12-01 (`cargo build --release --examples --bins`,
`target/release/examples/gen-corpus 10000 /tmp/sec-10k`, then `enigm-disclose -C /tmp/sec-10k
validate` 15 times with the binary before and after this scanner, interleaved, on the shared
2-core machine under a load average of 5 to 9): fastest wall time 0.20 s before, 0.23 s after;
mean user CPU 0.333 s before, 0.383 s after, **+15 %**, above the 10 % goal. `perf` puts the
difference in the one keyword pass (an Aho-Corasick DFA over 118 case-insensitive keywords,
about 9 % of validate's CPU; a case-insensitive automaton gets no SIMD prefilter) and the
base64-run pass (about 2.5 %); the rule regexes themselves (about 1 %) run only on the lines
that hold their keywords, so adding rules no longer multiplies scan time."""


def cases():
    out = []
    for line in open(os.path.join(CORPUS, "manifest.tsv")):
        if line.startswith("#") or not line.strip():
            continue
        f, a, b, label, kind, place = line.rstrip("\n").split("\t")
        out.append((f, int(a), int(b), label == "secret", kind, place))
    return out


def files():
    return sorted(n for n in os.listdir(CORPUS) if n not in ("manifest.tsv", "generate.py"))


def ours():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "secret-scan"], cwd=ROOT, check=True)
    exe = os.path.join(ROOT, "target", "release", "examples", "secret-scan")
    res = subprocess.run([exe, *files()], cwd=CORPUS, check=True, capture_output=True, text=True)
    found = collections.defaultdict(list)
    for line in res.stdout.splitlines():
        f, a, b = line.split("\t")
        found[f].append((int(a), int(b)))
    return found


def detect_secrets():
    exe = os.path.join(VENV, "bin", "detect-secrets")
    if not os.path.exists(exe):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", "detect-secrets"], check=True)
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
    res = subprocess.run([exe, "scan", "--all-files", *files()], cwd=CORPUS, check=True, capture_output=True, text=True)
    found = collections.defaultdict(list)
    for f, hits in json.loads(res.stdout)["results"].items():
        for h in hits:
            found[f].append((h["line_number"], h["line_number"]))
    return found, version


def score(found, cs):
    hit = lambda c: any(a <= c[2] and c[1] <= b for a, b in found.get(c[0], []))
    secrets = [c for c in cs if c[3]]
    look = [c for c in cs if not c[3]]
    caught = [c for c in secrets if hit(c)]
    fps = sum(1 for c in look if hit(c))
    stray = {(f, a) for f, spans in found.items() for a, b in spans
             if not any(c[0] == f and a <= c[2] and c[1] <= b for c in cs)}
    by_place = collections.defaultdict(lambda: [0, 0])
    for c in secrets:
        by_place[c[5]][1] += 1
        by_place[c[5]][0] += hit(c)
    missed_kinds = sorted({c[4] for c in secrets if not hit(c)})
    return len(caught) / len(secrets), (fps + len(stray)) / len(look), by_place, missed_kinds


def main():
    cs = cases()
    secrets = [c for c in cs if c[3]]
    kinds = {c[4] for c in secrets}
    places = {c[5] for c in secrets}
    o = score(ours(), cs)
    ds_found, ds_version = detect_secrets()
    d = score(ds_found, cs)
    print(f"corpus: {len(secrets)} secrets ({len(kinds)} kinds, {len(places)} placements), {len(cs) - len(secrets)} look-alikes")
    print(f"enigm-disclose: recall {o[0]:.1%}, false positives {o[1]:.1%}")
    print(f"{ds_version and 'detect-secrets ' + ds_version}: recall {d[0]:.1%}, false positives {d[1]:.1%}")
    rows = "\n".join(f"| {p} | {o[2][p][0]}/{o[2][p][1]} | {d[2][p][0]}/{d[2][p][1]} |" for p in sorted(o[2]))
    section = f"""<!-- keep:secrets -->
## Secret scanning

Produced by `{COMMAND}` on {datetime.date.today()}: the scanner of `validate` (`scan_file`,
through `target/release/examples/secret-scan`) and detect-secrets {ds_version} (`detect-secrets
scan --all-files`, default plugins, installed with `pip install detect-secrets`) on the same
files, the corpus in `tests/fixtures/secrets/` ({len(secrets)} FAKE secrets of {len(kinds)} kinds in
{len(places)} placements, {len(cs) - len(secrets)} look-alikes; `generate.py` writes it and
`manifest.tsv` lists every case). A secret counts as found when a finding touches one of its
lines; a finding on a look-alike or on a line that is no case is a false positive, as a share of
the look-alikes. The corpus was written together with the scanner, so its recall is a floor for
regressions, not an independent measure: `rules::checks::secrets::corpus` asserts recall ≥ 95 %
and false positives ≤ 2 % on every test run.

| scanner | recall | false positives |
|---|---:|---:|
| enigm-disclose | {o[0]:.1%} | {o[1]:.1%} |
| detect-secrets {ds_version} | {d[0]:.1%} | {d[1]:.1%} |

Found per placement (enigm-disclose, detect-secrets):

| placement | enigm-disclose | detect-secrets |
|---|---:|---:|
{rows}

{SPEED}

Kinds enigm-disclose missed at least once: {', '.join(o[3]) or 'none'}.
Kinds detect-secrets missed at least once: {', '.join(d[3]) or 'none'}.
<!-- /keep -->"""
    doc = open(DOC).read()
    if "<!-- keep:secrets -->" in doc:
        doc = re.sub(r"<!-- keep:secrets -->.*?<!-- /keep -->", lambda _: section, doc, flags=re.S)
    else:
        doc = doc.rstrip("\n") + "\n\n" + section + "\n"
    open(DOC, "w").write(doc)


if __name__ == "__main__":
    main()
