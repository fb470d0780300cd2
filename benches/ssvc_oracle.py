#!/usr/bin/env python3
"""Every combination of the CERT/CC supplier tree's decision-point values with the outcome
CERT/CC's own package (PyPI `certcc-ssvc`, Python >= 3.12) gives, one JSON line each, spelled
as reports spell them (points in snake case, values in kebab case).

Two families: the leaves (automatable, value_density, exploitation, technical_impact,
public_safety_impact; utility derived by certcc-ssvc's Utility table) and utility given
directly. The outcome is looked up in the package's decision tables (its `mapping`, the
table its own tooling and documentation are generated from), never in our JSON copy.

Usage: python benches/ssvc_oracle.py   (tests/cli/ssvc.rs runs it with ENIGM_SSVC_PYTHON)
"""
import itertools
import json
import os
import re
import sys

# benches/secrets.py would shadow the standard library's `secrets`, which numpy imports.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != HERE]

from ssvc.decision_tables.ssvc.supplier_dt import LATEST as SUPPLIER
from ssvc.decision_tables.ssvc.utility import LATEST as UTILITY


def spelled(name, sep):
    return sep.join(w.lower() for w in re.split(r"[^0-9A-Za-z]+", name) if w)


def inputs(table):
    return [(i, dp) for i, dp in table.decision_points.items() if i != table.outcome]


def lookup(table, chosen):
    """The outcome value key of `table` for {point id: value key}."""
    rows = [r for r in table.mapping if all(r[i] == k for i, k in chosen.items())]
    assert len(rows) == 1, (table.key, chosen, rows)
    return rows[0][table.outcome]


def name_of(dp, key):
    return next(v.name for v in dp.values if v.key == key)


def main():
    outcome_dp = SUPPLIER.decision_points[SUPPLIER.outcome]
    utility_dp = UTILITY.decision_points[UTILITY.outcome]
    sp_inputs = inputs(SUPPLIER)
    u_inputs = inputs(UTILITY)
    others = [(i, dp) for i, dp in sp_inputs if i != UTILITY.outcome]
    # The leaves: utility from automatable and value density.
    for u_keys in itertools.product(*[[v.key for v in dp.values] for _, dp in u_inputs]):
        u_chosen = dict(zip([i for i, _ in u_inputs], u_keys))
        u_key = lookup(UTILITY, u_chosen)
        for o_keys in itertools.product(*[[v.key for v in dp.values] for _, dp in others]):
            chosen = dict(zip([i for i, _ in others], o_keys))
            chosen[UTILITY.outcome] = u_key
            values = {spelled(dp.name, "_"): spelled(name_of(dp, u_chosen[i]), "-") for i, dp in u_inputs}
            values.update({spelled(dp.name, "_"): spelled(name_of(dp, chosen[i]), "-") for i, dp in others})
            out = spelled(name_of(outcome_dp, lookup(SUPPLIER, chosen)), "-")
            print(json.dumps({"values": values, "outcome": out}, sort_keys=True))
    # Utility given.
    for keys in itertools.product(*[[v.key for v in dp.values] for _, dp in sp_inputs]):
        chosen = dict(zip([i for i, _ in sp_inputs], keys))
        values = {spelled(dp.name, "_"): spelled(name_of(dp, chosen[i]), "-") for i, dp in sp_inputs}
        out = spelled(name_of(outcome_dp, lookup(SUPPLIER, chosen)), "-")
        print(json.dumps({"values": values, "outcome": out}, sort_keys=True))
    assert utility_dp.key == "U"


if __name__ == "__main__":
    main()
