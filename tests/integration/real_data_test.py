#!/usr/bin/env python3
"""crmkpi on the public CRM exports in ../shared/data/real (not shipped with the project).

    real_data_test.py CRMKPI_BINARY

Exit 77 (skipped) when ../shared/data/real is absent, as in a user's fresh clone.
The expected numbers come from an independent computation with Python's csv module, and the
row counts from ../shared/data/real/README.md; the inputs must be byte-identical afterwards.
"""
import csv
import hashlib
import json
import os
import statistics
import subprocess
import sys
import unittest
from datetime import date

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data", "real"))
BINARY = None


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run(*args):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=120)


def kpis_by(report, key):
    out = {}
    for k in report["kpis"]:
        g = k["group"]
        name = g.get(key) if list(g) == [key] else None if g else "__total__"
        if name is not None:
            out[(name, k["id"])] = k
    return out


class MavenPipeline(unittest.TestCase):
    path = os.path.join(REAL, "maven_crm", "sales_pipeline.csv")

    def test_report_matches_independent_computation(self):
        before = sha256(self.path)
        p = run("report", self.path, "--by", "sales_agent", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sha256(self.path), before, "input modified")
        self.assertEqual(before, "825ce8f6c32d4009548b468df3173d55a46fd73f2531f532c5459371dc52adf2")
        report = json.loads(p.stdout)
        self.assertEqual(report["inputs"][0]["rows"], 8800)  # README: 8,800 data rows

        with open(self.path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        agents = {}
        for r in rows:
            a = agents.setdefault(r["sales_agent"], {"won": 0, "lost": 0, "open": 0,
                                                    "revenue": 0, "cycles": []})
            stage = r["deal_stage"].lower()
            kind = stage if stage in ("won", "lost") else "open"
            a[kind] += 1
            if kind == "won":
                a["revenue"] += int(r["close_value"])
                d0 = date.fromisoformat(r["engage_date"])
                d1 = date.fromisoformat(r["close_date"])
                a["cycles"].append((d1 - d0).days)
        got = kpis_by(report, "sales_agent")
        self.assertEqual(len(agents), 30)  # README: 30 distinct agents
        for name, a in agents.items():
            with self.subTest(agent=name):
                self.assertEqual(got[(name, "won")]["value"], a["won"])
                self.assertEqual(got[(name, "lost")]["value"], a["lost"])
                self.assertEqual(got[(name, "open")]["value"], a["open"])
                self.assertEqual(got[(name, "win_rate")]["numerator"], a["won"])
                self.assertEqual(got[(name, "win_rate")]["denominator"], a["won"] + a["lost"])
                self.assertEqual(got[(name, "revenue")]["value"], a["revenue"])
                self.assertAlmostEqual(got[(name, "sales_cycle_days_median")]["value"],
                                       statistics.median(a["cycles"]), places=9)
        total_won = sum(a["won"] for a in agents.values())
        self.assertEqual(got[("__total__", "won")]["value"], total_won)
        # Open rows have no close_value: pipeline is 0 over 0 rows, all excluded as missing.
        self.assertEqual(got[("__total__", "pipeline_amount")]["excluded"],
                         {"missing_amount": sum(a["open"] for a in agents.values())})

    def test_period_totals_add_up(self):
        p = run("report", self.path, "--period", "quarter", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        report = json.loads(p.stdout)
        per_period = [k for k in report["kpis"] if k["id"] == "won" and "period" in k["group"]]
        total = [k for k in report["kpis"] if k["id"] == "won" and not k["group"]][0]
        self.assertEqual(sum(k["value"] for k in per_period), total["value"])
        # Open deals have no close date: they fall into period "", which has no won deal.
        no_date = [k for k in per_period if k["group"]["period"] == ""]
        self.assertEqual([k["value"] for k in no_date], [0])


class RealChecks(unittest.TestCase):
    """`crmkpi check` on exports nobody here wrote: completeness and uniqueness against csv."""

    def check_file(self, path, require, unique, normalize):
        before = sha256(path)
        p = run("check", path, "--require", ",".join(require), "--max-missing", "100%",
                "--unique", unique, "--normalize", normalize, "--max-duplicates", "100%",
                "--format", "json", "--samples", "0")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        missing = {c: 0 for c in require}
        keys = {}
        rows = 0
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                rows += 1
                for c in require:
                    if r[c].strip() == "":
                        missing[c] += 1
                k = r[unique].strip()
                if normalize == "trim,lower":
                    k = k.lower()
                if k:
                    keys[k] = keys.get(k, 0) + 1
        c, u = out["checks"]
        self.assertEqual(out["sources"][0]["rows"], rows)
        self.assertEqual(c["counts"]["missing_by_column"], missing)
        self.assertEqual(c["numerator"], sum(missing.values()))
        self.assertEqual(c["denominator"], rows * len(require))
        self.assertEqual(u["denominator"], sum(keys.values()))
        self.assertEqual(u["counts"]["distinct"], len(keys))
        self.assertEqual(u["numerator"], sum(keys.values()) - len(keys))
        self.assertEqual(u["counts"]["duplicate_groups"], sum(1 for v in keys.values() if v > 1))
        self.assertEqual(sha256(path), before)
        return out

    def test_maven_pipeline(self):
        out = self.check_file(os.path.join(REAL, "maven_crm", "sales_pipeline.csv"),
                              ["account", "engage_date", "close_date", "close_value"],
                              "opportunity_id", "trim")
        self.assertEqual(out["checks"][1]["numerator"], 0)  # ids are unique

    def test_olist_closed_deals(self):
        self.check_file(os.path.join(REAL, "olist_funnel", "olist_closed_deals_dataset.csv"),
                        ["business_segment", "lead_type", "has_company"], "seller_id",
                        "trim,lower")

    def test_maven_accounts_company_names(self):
        # The `company` preset folds legal forms; at least it must not crash or lose rows.
        path = os.path.join(REAL, "maven_crm", "accounts.csv")
        p = run("check", path, "--unique", "account", "--normalize", "company", "--near", "0.8",
                "--format", "json", "--max-duplicates", "100%")
        self.assertEqual(p.returncode, 0, p.stderr)
        u = json.loads(p.stdout)["checks"][0]
        with open(path, newline="", encoding="utf-8") as f:
            n = sum(1 for r in csv.DictReader(f) if r["account"].strip())
        self.assertEqual(u["denominator"], n)


class OlistClosedDeals(unittest.TestCase):
    def test_no_stage_column_is_a_usage_error_listing_headers(self):
        path = os.path.join(REAL, "olist_funnel", "olist_closed_deals_dataset.csv")
        p = run("report", path)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no stage column found", p.stderr)
        self.assertIn("'lead_behaviour_profile'", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_quoted_commas_read_as_one_field(self):
        path = os.path.join(REAL, "olist_funnel", "olist_closed_deals_dataset.csv")
        # Every row has 14 fields only if "cat, wolf" stays one field; a strict run proves it.
        p = run("report", path, "--map", "stage=lead_type", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["inputs"][0]["rows"], 842)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    if not os.path.isdir(REAL):
        print(f"skipped: {REAL} not found (the shared data sets are not part of the project)")
        sys.exit(77)
    unittest.main(verbosity=2)
