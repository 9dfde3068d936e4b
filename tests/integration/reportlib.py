"""Shared by the integration tests: run crmkpi and index its JSON report, compare numbers."""
import json
import math
import statistics
import subprocess
from decimal import Decimal

REL_TOL = 1e-9


def run_json(args, stdin_path=None):
    """Runs crmkpi with |args| (the binary first), optionally piping |stdin_path| to it, and
    returns the parsed JSON; Decimal keeps every printed number exactly as written."""
    if stdin_path is not None:
        with open(stdin_path, "rb") as f:
            p = subprocess.run(args, stdin=f, capture_output=True)
    else:
        p = subprocess.run(args, capture_output=True)
    if p.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {p.returncode}:\n"
                             f"{p.stderr.decode(errors='replace')}")
    return json.loads(p.stdout, parse_float=Decimal)


def kpi_index(report, by):
    """{(group value or None for the total, kpi id): kpi}."""
    out = {}
    for k in report["kpis"]:
        g = k["group"]
        if g == {}:
            key = None
        else:
            assert list(g) == [by], f"unexpected group {g}"
            key = g[by]
        assert (key, k["id"]) not in out, f"duplicate KPI {key!r} {k['id']}"
        out[(key, k["id"])] = k
    return out


def close(a, b):
    return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=0.0)


def p90_type7(values):
    data = sorted(values)
    if len(data) == 1:
        return float(data[0])
    # method='inclusive' is Hyndman & Fan type 7, numpy's default.
    return statistics.quantiles(data, n=10, method="inclusive")[8]


def check_rows(test, reports, kpis, rows):
    """Each report read one input of |rows| data rows, skipped none, and counts them as deals."""
    for by, r in reports.items():
        with test.subTest(by=by):
            test.assertEqual(len(r["inputs"]), 1)
            test.assertEqual(r["inputs"][0]["rows"], rows)
            test.assertEqual(r["inputs"][0].get("skipped_rows", 0), 0)
            test.assertEqual(kpis[by][(None, "deals")]["value"], rows)


def km_median(events, censored):
    """Kaplan–Meier median of durations: |events| finished, |censored| still open (right-
    censored). Events at t count before censorings at t. The first t with S(t) <= 0.5, or None
    when S never gets there. Written from the textbook product-limit formula, independently of
    src/base/survival.cc: S(t) = prod over event times u <= t of (1 - d_u / n_u)."""
    from collections import Counter
    d = Counter(events)
    leaving = Counter(events) + Counter(censored)  # subjects whose time is exactly t
    at_risk = len(events) + len(censored)
    s = 1.0
    for t in sorted(leaving):
        if d[t]:
            s *= 1.0 - d[t] / at_risk
            if s <= 0.5 + 1e-9:
                return t
        at_risk -= leaving[t]
    return None
