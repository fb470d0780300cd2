#!/usr/bin/env python3
"""Independent CVSS scores for random v3.1 and v4.0 vectors, from PyPI `cvss` (Red Hat's).

Prints one JSON object per line: {"vector", "base", "temporal", "environmental", "whole"}.
- v3.1: base, temporal and environmental scores as `cvss.CVSS3(...).scores()` gives them.
- v4.0: "base" is the score of the base metrics alone (CVSS-B: the vector with every other
  metric removed), "whole" the score of the vector as written (CVSS-BT/BE/BTE), both from
  `cvss.CVSS4(...).base_score`, which follows FIRST's calculator.

tests/cli/oracle.rs runs it (with ENIGM_CVSS_PYTHON, the interpreter that has the package;
.ci/run installs `cvss==3.6` into target/ci-venv) and compares every figure with
enigm-disclose's own scores. Pin 3.6: `cvss` 3.2 scores one v4.0 vector differently from FIRST.

    python3 benches/cvss_oracle.py [--count N] [--seed S]
"""

import argparse
import json
import random

import cvss

V3_BASE = [
    ("AV", "NALP"), ("AC", "LH"), ("PR", "NLH"), ("UI", "NR"), ("S", "UC"),
    ("C", "NLH"), ("I", "NLH"), ("A", "NLH"),
]
V3_MORE = [
    ("E", "XUPFH"), ("RL", "XOTWU"), ("RC", "XURC"),
    ("CR", "XLMH"), ("IR", "XLMH"), ("AR", "XLMH"),
    ("MAV", "XNALP"), ("MAC", "XLH"), ("MPR", "XNLH"), ("MUI", "XNR"), ("MS", "XUC"),
    ("MC", "XNLH"), ("MI", "XNLH"), ("MA", "XNLH"),
]
V4_BASE = [
    ("AV", "NALP"), ("AC", "LH"), ("AT", "NP"), ("PR", "NLH"), ("UI", "NPA"),
    ("VC", "HLN"), ("VI", "HLN"), ("VA", "HLN"), ("SC", "HLN"), ("SI", "HLN"), ("SA", "HLN"),
]
# In the order FIRST's schema pattern requires; supplemental metrics score nothing.
V4_MORE = [
    ("E", "XAPU"), ("CR", "XHML"), ("IR", "XHML"), ("AR", "XHML"),
    ("MAV", "XNALP"), ("MAC", "XLH"), ("MAT", "XNP"), ("MPR", "XNLH"), ("MUI", "XNPA"),
    ("MVC", "XNLH"), ("MVI", "XNLH"), ("MVA", "XNLH"), ("MSC", "XNLH"), ("MSI", "XNLHS"),
    ("MSA", "XNLHS"), ("S", "XNP"), ("AU", "XNY"), ("R", "XAUI"), ("V", "XDC"), ("RE", "XLMH"),
]


def vector(rng, prefix, base, more, share):
    parts = [f"{m}:{rng.choice(values)}" for m, values in base]
    parts += [f"{m}:{rng.choice(values)}" for m, values in more if rng.random() < share]
    return "/".join([prefix] + parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=300, help="vectors per version (default 300)")
    ap.add_argument("--seed", type=int, default=16)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    for i in range(args.count):
        # A quarter of the vectors are base-only, the rest carry some other metrics.
        share = 0.0 if i % 4 == 0 else rng.choice([0.15, 0.4, 0.8])
        v3 = vector(rng, "CVSS:3.1", V3_BASE, V3_MORE, share)
        base, temporal, environmental = cvss.CVSS3(v3).scores()
        print(json.dumps({"vector": v3, "base": float(base), "temporal": float(temporal),
                          "environmental": float(environmental)}))
        v4 = vector(rng, "CVSS:4.0", V4_BASE, V4_MORE, share)
        only_base = "/".join(v4.split("/")[: 1 + len(V4_BASE)])
        print(json.dumps({"vector": v4, "base": float(cvss.CVSS4(only_base).base_score),
                          "whole": float(cvss.CVSS4(v4).base_score)}))


if __name__ == "__main__":
    main()
