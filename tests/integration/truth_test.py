#!/usr/bin/env python3
"""Differential test of `crmkpi report` on ../shared/bench/gen_deals.py output.

    python3 tests/integration/truth_test.py path/to/crmkpi [unittest options]

Generates two deals files with gen_deals.py into a temporary directory,
  plain     --bytes 3000000
  newlines  --bytes 3000000 --newline-rate 0.05   (records spanning two physical lines)
and checks `crmkpi report F --by owner --format json` and `--by stage` against
  * the generator's ground truth F.truth.json (rows, per-owner won/lost and win rate, deals per
    stage, the sum of every amount), and
  * an independent computation of every deal KPI (below, with the csv module) per owner, per
    stage and in total: counts exact, money sums exact, other numbers within 1e-9 relative.
It also checks that `cat F | crmkpi report - ...` gives the same "kpis" as reading F by path,
and that the parallel pass (--threads 2, 3, 7 with small chunks; from the file and from standard
input) prints the serial JSON byte for byte.

Standard library only. Exit status: 0 all passed, 1 a check failed, 77 skipped (no
../shared/bench/gen_deals.py next to the repository; ctest shows the test as skipped).
"""

import csv
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import unittest
from decimal import Decimal, InvalidOperation

from reportlib import check_rows, close, km_median, kpi_index, p90_type7, run_json

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GEN = os.path.normpath(os.path.join(REPO, "..", "shared", "bench", "gen_deals.py"))

CRMKPI = None  # set from argv[1]
TMP = None     # temporary directory shared by the test classes

# --------------------------------------------------------------------------------------------
# Independent computation of the deal KPIs (definitions as documented for `crmkpi report`).

WON = {"won"}
LOST = {"lost"}


def stage_class(stage):
    s = stage.strip().lower()
    if s in WON:
        return "won"
    if s in LOST:
        return "lost"
    return "open"


def parse_amount(text):
    """('ok', Decimal) | ('empty', None) | ('invalid', None). gen_deals writes plain integers."""
    t = text.strip()
    if not t:
        return "empty", None
    if not all(c in "0123456789." for c in t):
        return "invalid", None
    try:
        return "ok", Decimal(t)
    except InvalidOperation:
        return "invalid", None


def parse_date(text):
    t = text.strip()
    if not t:
        return "empty", None
    try:
        return "ok", dt.date.fromisoformat(t)
    except ValueError:
        return "invalid", None


class Group:
    def __init__(self):
        self.deals = self.won = self.lost = self.open = 0
        self.won_amount = Decimal(0)
        self.won_with_amount = 0
        self.won_excluded = {}
        self.open_amount = Decimal(0)
        self.open_with_amount = 0
        self.open_excluded = {}
        self.lost_amount = Decimal(0)
        self.amount_sum = Decimal(0)  # every parseable amount, any stage
        self.cycles = []              # won deals, days
        self.cycle_excluded = {}
        self.km_events = []           # closed (won or lost) deals, days
        self.km_open_created = []     # open deals' created dates (censored at as-of)
        self.km_excluded = {}

    def add(self, row):
        cls = stage_class(row["stage"])
        self.deals += 1
        c_status, created = parse_date(row["created_at"])
        d_status, closed = parse_date(row["closed_at"])
        why = None
        if c_status != "ok":
            why = "missing_created" if c_status == "empty" else "invalid_created"
        elif cls == "open":
            self.km_open_created.append(created)
        elif d_status != "ok":
            why = "missing_closed" if d_status == "empty" else "invalid_closed"
        elif closed < created:
            why = "negative_duration"
        else:
            self.km_events.append((closed - created).days)
        if why:
            self.km_excluded[why] = self.km_excluded.get(why, 0) + 1
        a_status, a_value = parse_amount(row["amount"])
        if a_status == "ok":
            self.amount_sum += a_value
        reason = {"empty": "missing_amount", "invalid": "invalid_amount"}.get(a_status)
        if cls == "won":
            self.won += 1
            if a_status == "ok":
                self.won_amount += a_value
                self.won_with_amount += 1
            else:
                self.won_excluded[reason] = self.won_excluded.get(reason, 0) + 1
            c_status, created = parse_date(row["created_at"])
            d_status, closed = parse_date(row["closed_at"])
            why = None
            if c_status != "ok":
                why = "missing_created" if c_status == "empty" else "invalid_created"
            elif d_status != "ok":
                why = "missing_closed" if d_status == "empty" else "invalid_closed"
            elif closed < created:
                why = "negative_duration"
            if why:
                self.cycle_excluded[why] = self.cycle_excluded.get(why, 0) + 1
            else:
                self.cycles.append((closed - created).days)
        elif cls == "lost":
            self.lost += 1
            if a_status == "ok":
                self.lost_amount += a_value
        else:
            self.open += 1
            if a_status == "ok":
                self.open_amount += a_value
                self.open_with_amount += 1
            else:
                self.open_excluded[reason] = self.open_excluded.get(reason, 0) + 1


def independent(path, by):
    """{None: total Group, value: Group per distinct value of column |by|}, plus facts."""
    groups = {None: Group()}
    facts = {"rows": 0, "records_with_newline": 0, "stage_counts": {}}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            facts["rows"] += 1
            if any("\n" in v for v in row.values()):
                facts["records_with_newline"] += 1
            facts["stage_counts"][row["stage"]] = facts["stage_counts"].get(row["stage"], 0) + 1
            groups[None].add(row)
            groups.setdefault(row[by], Group()).add(row)
            # The as-of is the latest event: every created date, and the closed date of a
            # closed deal only (an open deal's close date is an expectation).
            closed = stage_class(row["stage"]) != "open"
            for col in ("created_at", "closed_at") if closed else ("created_at",):
                status, day = parse_date(row[col])
                if status == "ok" and (facts.get("max_date") is None or day > facts["max_date"]):
                    facts["max_date"] = day
    return groups, facts


# --------------------------------------------------------------------------------------------
# Running crmkpi.


def run_report(path, by, stdin_pipe=False):
    args = [CRMKPI, "report", "-" if stdin_pipe else path, "--by", by, "--format", "json"]
    return run_json(args, stdin_path=path if stdin_pipe else None)


# --------------------------------------------------------------------------------------------
# Tests.


class GenDealsTruth:
    """Mixed into one TestCase per generated file."""

    NAME = None
    GEN_ARGS = None

    @classmethod
    def setUpClass(cls):
        cls.path = os.path.join(TMP, cls.NAME + ".csv")
        subprocess.run([sys.executable, GEN, *cls.GEN_ARGS, "--out", cls.path], check=True,
                       stderr=subprocess.DEVNULL)
        with open(cls.path + ".truth.json", encoding="utf-8") as f:
            cls.truth = json.load(f)
        cls.reports = {by: run_report(cls.path, by) for by in ("owner", "stage")}
        cls.kpis = {by: kpi_index(r, by) for by, r in cls.reports.items()}
        cls.indep = {by: independent(cls.path, by) for by in ("owner", "stage")}
        # as-of: the latest date in the data, found independently; crmkpi must agree.
        cls.reports_as_of = cls.indep["owner"][1]["max_date"].isoformat()

    # -- the independent computation must itself agree with the generator's truth ------------

    def test_independent_matches_truth(self):
        groups, facts = self.indep["owner"]
        t = self.truth
        self.assertEqual(facts["rows"], t["rows"])
        self.assertEqual(facts["records_with_newline"], t["records_with_newline"])
        self.assertEqual(facts["stage_counts"], {k: v for k, v in t["stage_counts"].items() if v})
        self.assertEqual(groups[None].amount_sum, t["amount_sum"])
        for owner, o in t["per_owner"].items():
            g = groups.get(owner, Group())
            self.assertEqual((g.won, g.lost), (o["won"], o["lost"]), owner)
        if self.GEN_ARGS.count("--newline-rate"):
            self.assertGreater(t["records_with_newline"], 0)

    # -- crmkpi against the truth --------------------------------------------------------------

    def test_as_of_is_the_latest_date(self):
        # Printed in full (the data's dates are plain dates: midnight UTC).
        self.assertEqual(self.reports["owner"]["as_of"], self.reports_as_of + "T00:00:00Z")

    def test_rows(self):
        check_rows(self, self.reports, self.kpis, self.truth["rows"])

    def test_owner_won_lost_win_rate_vs_truth(self):
        k = self.kpis["owner"]
        reported = {g for (g, _) in k if g is not None}
        truth_owners = set(self.truth["per_owner"])
        self.assertIn("", truth_owners)
        self.assertIn(("", "won"), k, "the empty owner is missing from the report")
        self.assertEqual(reported - truth_owners, set(), "owners not in the truth")
        for owner, o in self.truth["per_owner"].items():
            with self.subTest(owner=owner):
                if (owner, "won") not in k:  # no deals at all for this owner
                    self.assertEqual((o["won"], o["lost"]), (0, 0))
                    continue
                self.assertEqual(k[(owner, "won")]["value"], o["won"])
                self.assertEqual(k[(owner, "lost")]["value"], o["lost"])
                wr = k[(owner, "win_rate")]
                self.assertEqual(wr["numerator"], o["won"])
                self.assertEqual(wr["denominator"], o["won"] + o["lost"])
                if o["win_rate"] is None:
                    self.assert_no_value(wr, "ZERO_DENOMINATOR")
                else:
                    self.assertTrue(close(wr["value"], o["win_rate"]), (wr["value"], o))
        total_won = sum(o["won"] for o in self.truth["per_owner"].values())
        total_lost = sum(o["lost"] for o in self.truth["per_owner"].values())
        self.assertEqual(k[(None, "won")]["value"], total_won)
        self.assertEqual(k[(None, "lost")]["value"], total_lost)

    def test_stage_counts_vs_truth(self):
        k = self.kpis["stage"]
        got = {g: k[(g, "deals")]["value"] for (g, i) in k if g is not None and i == "deals"}
        want = {s: n for s, n in self.truth["stage_counts"].items() if n}
        self.assertEqual(got, want)
        self.assertEqual(k[("won", "won")]["value"], self.truth["stage_counts"]["won"])
        self.assertEqual(k[("lost", "lost")]["value"], self.truth["stage_counts"]["lost"])

    def test_amount_sum_vs_truth(self):
        # crmkpi reports revenue (won) and pipeline (open) only; the lost deals' amounts come
        # from the independent computation.
        k = self.kpis["owner"]
        total = self.indep["owner"][0][None]
        revenue = k[(None, "revenue")]["value"]
        pipeline = k[(None, "pipeline_amount")]["value"]
        self.assertEqual(revenue + pipeline + total.lost_amount, self.truth["amount_sum"])
        per_owner = sum(k[(g, "revenue")]["value"] + k[(g, "pipeline_amount")]["value"]
                        for (g, i) in k if g is not None and i == "revenue")
        self.assertEqual(per_owner + total.lost_amount, self.truth["amount_sum"])

    # -- crmkpi against the independent computation -------------------------------------------

    def assert_no_value(self, k, reason):
        """A KPI that cannot be computed: "value": null (or absent) and the reason."""
        self.assertIsNone(k.get("value"), k)
        self.assertEqual(k.get("reason"), reason, k)

    def check_group(self, kpis, key, g):
        def kpi(i):
            self.assertIn((key, i), kpis, f"KPI {i} missing")
            return kpis[(key, i)]

        def excluded(k):
            return {r: int(n) for r, n in k.get("excluded", {}).items()}

        for i, want in (("deals", g.deals), ("won", g.won), ("lost", g.lost), ("open", g.open)):
            self.assertEqual(kpi(i)["value"], want, i)
            self.assertIsInstance(kpi(i)["value"], int, i)

        wr = kpi("win_rate")
        self.assertEqual((wr["numerator"], wr["denominator"]), (g.won, g.won + g.lost))
        if g.won + g.lost:
            self.assertTrue(close(wr["value"], g.won / (g.won + g.lost)), wr)
        else:
            self.assert_no_value(wr, "ZERO_DENOMINATOR")

        rev = kpi("revenue")
        self.assertEqual(rev["value"], g.won_amount, "revenue")
        self.assertEqual(rev["n"], g.won_with_amount, "revenue n")
        self.assertEqual(excluded(rev), g.won_excluded, "revenue excluded")
        if g.won_amount == int(g.won_amount):  # whole amounts print without a fraction
            self.assertIsInstance(rev["value"], int, f"revenue printed as {rev['value']}")

        avg = kpi("avg_deal_size")
        self.assertEqual(avg["numerator"], g.won_amount, "avg_deal_size numerator")
        self.assertEqual(avg["denominator"], g.won_with_amount, "avg_deal_size denominator")
        if g.won_with_amount:
            self.assertTrue(close(avg["value"], g.won_amount / g.won_with_amount), avg)
        else:
            self.assert_no_value(avg, "EMPTY")

        pipe = kpi("pipeline_amount")
        self.assertEqual(pipe["value"], g.open_amount, "pipeline_amount")
        self.assertEqual(pipe["n"], g.open_with_amount, "pipeline_amount n")
        self.assertEqual(excluded(pipe), g.open_excluded, "pipeline_amount excluded")
        if g.open_amount == int(g.open_amount):
            self.assertIsInstance(pipe["value"], int, f"pipeline printed as {pipe['value']}")

        cycles = sorted(g.cycles)
        want = {}
        if cycles:
            want = {"sales_cycle_days_median": statistics.median(cycles),
                    "sales_cycle_days_mean": sum(cycles) / len(cycles),
                    "sales_cycle_days_p90": p90_type7(cycles)}
        for i in ("sales_cycle_days_median", "sales_cycle_days_mean", "sales_cycle_days_p90"):
            k = kpi(i)
            self.assertEqual(k["n"], len(cycles), i + " n")
            self.assertEqual(excluded(k), g.cycle_excluded, i + " excluded")
            if cycles:
                self.assertTrue(close(k["value"], want[i]), (i, k["value"], want[i]))
            else:
                self.assert_no_value(k, "EMPTY")
        mean = kpi("sales_cycle_days_mean")
        self.assertEqual(mean["numerator"], sum(cycles), "mean numerator (days)")
        self.assertEqual(mean["denominator"], len(cycles), "mean denominator")

        # All deals, Kaplan–Meier: closed ones are events, open ones censored at as-of (the
        # latest date in the file; no open deal is created after it).
        as_of = dt.date.fromisoformat(self.reports_as_of)
        censored = [(as_of - c).days for c in g.km_open_created]
        km = kpi("sales_cycle_days_km_median")
        self.assertEqual(km["n"], len(g.km_events) + len(censored), "km n")
        self.assertEqual(km["censored"], len(censored), "km censored")
        self.assertEqual(excluded(km), g.km_excluded, "km excluded")
        want_km = km_median(g.km_events, censored)
        if want_km is None:
            self.assert_no_value(km, "EMPTY" if km["n"] == 0 else "ALL_CENSORED")
        else:
            self.assertTrue(close(km["value"], want_km), (km["value"], want_km))

    def check_all_groups(self, by):
        kpis = self.kpis[by]
        groups, _ = self.indep[by]
        self.assertEqual({g for (g, _) in kpis}, set(groups), "set of groups")
        for key, g in groups.items():
            with self.subTest(by=by, group="(total)" if key is None else key):
                self.check_group(kpis, key, g)

    def test_owner_kpis_vs_independent(self):
        self.check_all_groups("owner")

    def test_stage_kpis_vs_independent(self):
        self.check_all_groups("stage")

    # -- standard input ------------------------------------------------------------------------

    def test_stdin_pipe_same_kpis(self):
        for by in ("owner", "stage"):
            with self.subTest(by=by):
                piped = run_report(self.path, by, stdin_pipe=True)
                self.assertEqual(piped["inputs"][0]["rows"], self.truth["rows"])
                self.assertEqual(piped["kpis"], self.reports[by]["kpis"])

    # -- the parallel pass ---------------------------------------------------------------------

    def test_parallel_pass_is_byte_identical(self):
        """--threads N splits the file into chunks (small ones here, so a 3 MB file splits, and
        with quoted newlines in the newlines file); the JSON must equal the serial pass's byte
        for byte, whatever N."""
        for extra in (["--by", "owner"], ["--by", "stage", "--by", "owner+source"],
                      ["--period", "month", "--by", "owner"]):
            cmd = [CRMKPI, "report", self.path, *extra, "--format", "json"]
            serial = subprocess.run(cmd + ["--threads", "1"], check=True,
                                    capture_output=True).stdout
            self.assertIn(b'"win_rate"', serial)
            for threads in ("2", "3", "7"):
                with self.subTest(extra=extra, threads=threads):
                    parallel = subprocess.run(
                        cmd + ["--threads", threads, "--min-chunk-bytes", "100000"],
                        check=True, capture_output=True).stdout
                    self.assertEqual(parallel, serial)
            # Standard input: blocks cut as they arrive (a quarter of --min-chunk-bytes each).
            cmd[2] = "-"
            with open(self.path, "rb") as f:
                serial = subprocess.run(cmd + ["--threads", "1"], stdin=f, check=True,
                                        capture_output=True).stdout
            for threads in ("2", "3"):
                with self.subTest(extra=extra, threads=threads, stdin=True):
                    with open(self.path, "rb") as f:
                        parallel = subprocess.run(
                            cmd + ["--threads", threads, "--min-chunk-bytes", "100000"],
                            stdin=f, check=True, capture_output=True).stdout
                    self.assertEqual(parallel, serial)


class Plain(GenDealsTruth, unittest.TestCase):
    NAME = "plain"
    GEN_ARGS = ["--bytes", "3000000"]


class Newlines(GenDealsTruth, unittest.TestCase):
    NAME = "newlines"
    GEN_ARGS = ["--bytes", "3000000", "--newline-rate", "0.05"]


def main():
    global CRMKPI, TMP
    if len(sys.argv) < 2:
        print(f"usage: {sys.argv[0]} path/to/crmkpi [unittest options]", file=sys.stderr)
        return 2
    CRMKPI = os.path.abspath(sys.argv[1])
    if not os.path.exists(GEN):
        print("skipped: ../shared/bench/gen_deals.py not found "
              f"(looked for {GEN})")
        return SKIP
    with tempfile.TemporaryDirectory(prefix="crmkpi_truth_") as TMP:
        prog = unittest.main(argv=[sys.argv[0]] + sys.argv[2:], exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
