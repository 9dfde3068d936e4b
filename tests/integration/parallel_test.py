#!/usr/bin/env python3
"""The parallel pass of `crmkpi report -c` (the metric engine) against the serial one.

    python3 tests/integration/parallel_test.py path/to/crmkpi [unittest options]

Writes a deals export (quoted newlines, CRLF, invalid amounts and dates, a lookup of owners)
and a KPI definition with every kind of metric — counts, sums, averages, min/max, medians and
p90s of amounts and durations, SLA, count_distinct of one and of two columns, groupings by a
column, by two columns, by a lookup column and by period — then runs `report -c` with
--threads 1 and with 2, 3 and 7 threads on small chunks (--min-chunk-bytes): stdout (every KPI
of every group, JSON) and stderr (the warnings with their first lines) must be identical byte
for byte. The same from standard input and for a CP932 file (both read as streams, in blocks),
including a malformed record's error, and which of a malformed record and an invalid CP932
sequence comes first. `forecast --actual` reads its deals file the same way. Needs no ../shared. Standard library only.
"""

import datetime
import os
import random
import subprocess
import sys
import tempfile
import unittest

CRMKPI = None

INI = """
[crmkpi]
as_of = 2024-12-31

[source deals]
file = deals.csv
stages = lead, qualified, proposal, won

[lookup owners]
file = owners.csv
key = owner
source = deals
on = owner

[metric deals]
source = deals
by = owner, owners.region

[metric won]
source = deals
where = stage is won
by = owner+source
period = month
period_of = closed_at

[metric revenue]
source = deals
type = sum
column = amount
where = stage is won
by = owners.region

[metric avg_amount]
source = deals
type = avg
column = amount
by = source

[metric min_amount]
source = deals
type = min
column = amount

[metric max_amount]
source = deals
type = max
column = amount
by = owner

[metric median_amount]
source = deals
type = median
column = amount
where = stage is won
by = owner

[metric p90_cycle]
source = deals
type = p90
duration = created_at..closed_at
where = stage is won
by = owners.region

[metric cycle_median]
source = deals
type = median
duration = created_at..closed_at

[metric fast_close]
source = deals
type = sla
duration = created_at..closed_at
within = 30d
by = owner

[metric accounts]
source = deals
type = count_distinct
column = account
by = owner

[metric account_sources]
source = deals
type = count_distinct
column = account+source
by = owners.region

[metric reached_proposal]
source = deals
where = stage reached proposal
by = source

[kpi win_rate]
formula = won / deals
unit = ratio
"""
# Every metric is printed through a KPI of its own (report -c prints KPIs, per group).
METRICS = ["deals", "won", "revenue", "avg_amount", "min_amount", "max_amount", "median_amount",
           "p90_cycle", "cycle_median", "fast_close", "accounts", "account_sources",
           "reached_proposal"]
INI += "".join(f"\n[kpi k_{m}]\nformula = {m}\n" for m in METRICS)


def write_fixture(d, rows, seed):
    rng = random.Random(seed)
    owners = [f"Owner {i}" for i in range(9)]
    with open(os.path.join(d, "owners.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("owner,region\n")
        for i, o in enumerate(owners[:-1]):  # the last owner is a lookup miss
            f.write(f"{o},{'East' if i % 2 else 'West'}\n")
    stages = ["lead", "qualified", "proposal", "won", "lost"]
    lines = ["deal_id,account,owner,source,stage,amount,created_at,closed_at,notes"]
    for i in range(rows):
        stage = rng.choice(stages)
        closed = stage in ("won", "lost")
        amount = "n/a" if rng.random() < 0.01 else str(rng.randrange(1000, 200000))
        created = f"2024-{rng.randrange(1, 10):02d}-{rng.randrange(1, 29):02d}"
        closed_at = ""
        if closed:
            closed_at = "someday" if rng.random() < 0.01 else \
                f"2024-{rng.randrange(10, 13):02d}-{rng.randrange(1, 29):02d}"
        notes = '"first line\nsecond, with ""quotes"""' if i % 4 == 0 else "plain"
        end = "\r\n" if i % 9 == 0 else "\n"
        account = f"Account {rng.randrange(300)}"
        owner = rng.choice(owners)
        # Spellings that group keys merge (docs/kpis.md, "Group keys"): each chunk meets them
        # in its own order, and the merge must add their rows as the serial pass counts them.
        if i % 13 == 0:
            owner = owner.replace("Owner", "Ｏｗｎｅｒ")
        elif i % 17 == 0:
            owner = owner.replace(" ", "\u3000")
        lines.append(f"{i},{account},{owner},"
                     f"{rng.choice(['web', 'referral', 'partner', ''])},{stage},{amount},"
                     f"{created},{closed_at},{notes}{end}")
    with open(os.path.join(d, "deals.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(lines[0] + "\n" + "".join(lines[1:]))
    with open(os.path.join(d, "kpi.ini"), "w", encoding="utf-8") as f:
        f.write(INI)


def cp932_ini(d):
    """The fixture's kpi.ini with its deals source read as CP932; returns its path."""
    ini = os.path.join(d, "kpi.ini")
    with open(ini, encoding="utf-8") as f:
        conf = f.read().replace("file = deals.csv\n", "file = deals.csv\nencoding = cp932\n")
    with open(ini, "w", encoding="utf-8") as f:
        f.write(conf)
    return ini


class MetricEngineParallel(unittest.TestCase):
    @staticmethod
    def run_threads(cmd, threads, data=None):
        """`cmd` on |threads| threads; parallel runs on small chunks and blocks."""
        extra = [] if threads == "1" else ["--min-chunk-bytes", "20000"]
        return subprocess.run(cmd + ["--threads", threads] + extra, input=data,
                              capture_output=True)

    def assert_same_as(self, serial, cmd, thread_counts, data=None):
        """Each parallel run exits, prints and warns exactly as the serial one."""
        for threads in thread_counts:
            with self.subTest(threads=threads):
                par = self.run_threads(cmd, threads, data)
                self.assertEqual(par.returncode, serial.returncode, par.stderr)
                self.assertTrue(par.stdout == serial.stdout, "stdout differs")
                self.assertTrue(par.stderr == serial.stderr, par.stderr)

    def test_same_as_serial(self):
        with tempfile.TemporaryDirectory() as d:
            write_fixture(d, 8000, 3)
            cmd = [CRMKPI, "report", "-c", os.path.join(d, "kpi.ini"), "--format", "json"]
            serial = self.run_threads(cmd, "1")
            self.assertEqual(serial.returncode, 0, serial.stderr)
            # The fixture exercises what the merge must get right.
            for needle in (b'"k_accounts"', b'"k_account_sources"', b'"k_median_amount"',
                           b'"owners.region":"East"', b'"period":"2024-11"',
                           b'"merged_spellings"'):
                self.assertIn(needle, serial.stdout)
            for needle in (b"is not an amount", b"not found in lookup", b"is not a date"):
                self.assertIn(needle, serial.stderr)
            self.assert_same_as(serial, cmd, ("2", "3", "7"))

    def test_stdin_same_as_serial(self):
        """Standard input is cut into blocks (a quarter of --min-chunk-bytes) read on all
        threads and merged in order: the output equals the serial read of the same stream."""
        with tempfile.TemporaryDirectory() as d:
            write_fixture(d, 8000, 5)
            with open(os.path.join(d, "deals.csv"), "rb") as f:
                data = f.read()
            cmd = [CRMKPI, "report", "-c", os.path.join(d, "kpi.ini"), "--source", "deals=-",
                   "--format", "json"]
            serial = self.run_threads(cmd, "1", data)
            self.assertEqual(serial.returncode, 0, serial.stderr)
            self.assertIn(b'"file":"<stdin>"', serial.stdout)
            self.assertIn(b"is not an amount", serial.stderr)
            self.assert_same_as(serial, cmd, ("2", "3", "7"), data)

    def test_stdin_malformed_record_same_error(self):
        """A record with too few fields deep in the stream: its block fails, the rest is read
        serially from that block, and the error names the same line as a serial read."""
        with tempfile.TemporaryDirectory() as d:
            write_fixture(d, 8000, 6)
            with open(os.path.join(d, "deals.csv"), "rb") as f:
                data = f.read()
            cut = data.index(b"\n7000,")  # the record of deal 7000 loses its fields
            data = data[:cut] + b"\n7000,short" + data[data.index(b"\n", cut + 1):]
            cmd = [CRMKPI, "report", "-c", os.path.join(d, "kpi.ini"), "--source", "deals=-",
                   "--format", "json"]
            serial = self.run_threads(cmd, "1", data)
            self.assertEqual(serial.returncode, 3, serial.stderr)
            self.assertIn(b"<stdin>:", serial.stderr)
            self.assertEqual(serial.stdout, b"")
            self.assert_same_as(serial, cmd, ("2", "7"), data)

    def test_cp932_file_same_as_serial(self):
        """A CP932 source is converted as a stream, in blocks, on all threads."""
        with tempfile.TemporaryDirectory() as d:
            write_fixture(d, 8000, 7)
            path = os.path.join(d, "deals.csv")
            with open(path, encoding="utf-8", newline="") as f:
                text = f.read().replace("Account 1", "株式会社 1")
            with open(path, "w", encoding="cp932", newline="") as f:
                f.write(text)
            ini = cp932_ini(d)
            cmd = [CRMKPI, "report", "-c", ini, "--format", "json"]
            serial = self.run_threads(cmd, "1")
            self.assertEqual(serial.returncode, 0, serial.stderr)
            self.assertIn('"encoding":"cp932"'.encode(), serial.stdout)
            self.assert_same_as(serial, cmd, ("2", "3"))

    def test_cp932_error_order_same_as_serial(self):
        """A CP932 stream with a malformed record and an invalid byte sequence: whichever comes
        first in the file is the error, for report -c, report and check, serially and on all
        threads. The converter returns the text before a bad sequence before failing, and the
        parallel pass reads the blocks cut before it (then the rest serially), so the order
        does not depend on buffer or block sizes."""
        with tempfile.TemporaryDirectory() as d:
            write_fixture(d, 8000, 8)
            path = os.path.join(d, "deals.csv")
            with open(path, encoding="utf-8", newline="") as f:
                clean = f.read().replace("Account 1", "株式会社 1").encode("cp932")

            def short(data, deal):  # the record of |deal| loses its fields
                cut = data.index(b"\n%d," % deal)
                return data[:cut] + b"\n%d,short" % deal + data[data.index(b"\n", cut + 1):]

            def bad_byte(data, deal):  # a CP932 lead byte followed by no trail byte
                at = data.index(b"\n%d," % deal) + len(b"\n%d," % deal)
                return data[:at] + b"\x81 " + data[at:]

            cases = {"record first": (bad_byte(short(clean, 7000), 7100), b"fields"),
                     "bytes first": (short(bad_byte(clean, 6900), 7000), b"invalid cp932")}
            ini = cp932_ini(d)
            commands = {
                "report -c": [CRMKPI, "report", "-c", ini, "--format", "json"],
                "report": [CRMKPI, "report", path, "--encoding", "cp932", "--by", "owner",
                           "--format", "json"],
                "check": [CRMKPI, "check", path, "--encoding", "cp932", "--unique", "deal_id",
                          "--format", "json"],
            }
            for case, (data, expected) in cases.items():
                with open(path, "wb") as f:
                    f.write(data)
                for name, cmd in commands.items():
                    with self.subTest(case=case, command=name):
                        serial = self.run_threads(cmd, "1")
                        self.assertEqual(serial.returncode, 3, serial.stderr)
                        self.assertEqual(serial.stdout, b"")
                        # check counts a short record as a structural error and reads on.
                        self.assertIn(b"invalid cp932" if name == "check" else expected,
                                      serial.stderr)
                        self.assertEqual(serial.stderr.count(b"crmkpi:"), 1, serial.stderr)
                        self.assert_same_as(serial, cmd, ("2", "3"))


    def test_forecast_actuals_same_as_serial(self):
        """forecast --actual reads the deals file on all threads (chunks of a file, blocks of
        standard input), merging the won amounts by owner and month, the groups and the
        warnings in file order: the report equals the serial one; so does a malformed deals
        record's error."""
        with tempfile.TemporaryDirectory() as d:
            write_fixture(d, 8000, 9)
            deals = os.path.join(d, "deals.csv")
            forecast = os.path.join(d, "forecast.csv")
            with open(forecast, "w", encoding="utf-8", newline="") as f:
                f.write("period,owner,forecast\n")
                for month in ("2024-10", "2024-11", "2024-12"):
                    for i in range(0, 9, 2):  # odd owners only in the deals: actual-only keys
                        f.write(f"{month},Owner {i},{1000000 + i * 1000}\n")
            cmd = [CRMKPI, "forecast", forecast, "--actual", deals, "--by", "owner",
                   "--format", "json"]
            serial = self.run_threads(cmd, "1")
            self.assertEqual(serial.returncode, 0, serial.stderr)
            for needle in (b'"owner":"Owner 1","side":"actual only"', b'"id":"wape"'):
                self.assertIn(needle, serial.stdout)
            for needle in (b"is not an amount", b"is not a date"):
                self.assertIn(needle, serial.stderr)
            self.assert_same_as(serial, cmd, ("2", "3", "7"))

            with open(deals, "rb") as f:
                data = f.read()
            stdin_cmd = cmd[:4] + ["-"] + cmd[5:]
            serial_stdin = self.run_threads(stdin_cmd, "1", data)
            self.assertEqual(serial_stdin.returncode, 0, serial_stdin.stderr)
            self.assertEqual(serial_stdin.stdout,
                             serial.stdout.replace(deals.encode(), b"<stdin>"))
            self.assert_same_as(serial_stdin, stdin_cmd, ("2", "3"), data)

            cut = data.index(b"\n7000,")
            with open(deals, "wb") as f:
                f.write(data[:cut] + b"\n7000,short" + data[data.index(b"\n", cut + 1):])
            broken = self.run_threads(cmd, "1")
            self.assertEqual(broken.returncode, 3, broken.stderr)
            self.assertIn(b"fields", broken.stderr)
            self.assert_same_as(broken, cmd, ("2", "7"))


def write_history(d, deals, seed, late_tail=False):
    """A long stage-history export (history.csv): each deal's stage changes, mostly in time
    order but with rows of one deal spread over the whole file and some earlier than the
    deal's rows before them, a few unknown stages, rows without an id, a stage or a valid
    time, multi-line notes; and the same deals as a wide export (wide.csv). With |late_tail|,
    every deal's rows are in order except a block at the end of the file that goes back in
    time: rows late only against earlier chunks, after an invalid date and before an unknown
    stage in the same block."""
    rng = random.Random(seed)
    stages = ["lead", "qualified", "proposal", "negotiation", "won", "lost"]
    rows = []
    wide = ["deal_id,owner,region,stage,date_entered_lead,date_entered_qualified,"
            "date_entered_proposal,date_entered_negotiation,date_entered_won,date_entered_lost"]
    for i in range(deals):
        n = rng.randrange(1, 6)
        day = rng.randrange(0, 200)
        path = stages[:min(n, 4)] + ([rng.choice(["won", "lost"])] if n >= 5 else [])
        entered = {}
        for stage in path:
            day += rng.randrange(0, 9)
            entered.setdefault(stage, day)
            rows.append([f"D{i}", stage, day, f"Owner {rng.randrange(7)}",
                         rng.choice(["East", "West"])])
        cells = [date_of(entered[s]) if s in entered else "" for s in stages]
        if rng.random() < 0.02:
            cells[rng.randrange(6)] = "someday"
        # Unknown current stages: "demo" anywhere, "review" only in the last third (so a later
        # part meets "review" first: its own stage indexes differ from the merged ones).
        current = path[-1]
        if rng.random() < 0.03:
            current = "review" if i > deals * 2 // 3 and rng.random() < 0.7 else "demo"
        wide.append(f"D{i},Owner {rng.randrange(7)},{rng.choice(['East', 'West'])},"
                    f"{current}," + ",".join(cells))
    if late_tail:
        order = rows  # by deal: every deal's rows in time order
    else:
        rng.shuffle(rows)
        # Mostly in time order, with a few rows of every deal moved later (out of order).
        rows.sort(key=lambda r: r[2] + (rng.randrange(0, 40) if rng.random() < 0.1 else 0))
        order = rows
    lines = ["deal_id,stage,changed_at,owner,region,notes"]
    for k, (deal, stage, day, owner, region) in enumerate(order):
        t = date_of(day)
        if not late_tail:
            r = rng.random()
            if r < 0.01:
                t = "soon"
            elif r < 0.02:
                t = ""
            elif r < 0.03:
                stage = "demo"
            elif r < 0.035:
                deal = ""
            elif r < 0.04:
                stage = ""
        notes = '"call\nback, ""soon"""' if k % 5 == 0 else "ok"
        lines.append(f"{deal},{stage},{t},{owner},{region},{notes}")
    if late_tail:
        lines.append("D1,lead,soon,Owner 1,East,bad date")
        lines.append("D3,lead,2023-01-01,Owner 2,West,late against earlier chunks")
        lines.append("D3,demo,2023-01-02,Owner 2,West,late and unknown")
        lines.append("D4,demo,2030-01-02,Owner 2,West,unknown")
    with open(os.path.join(d, "history.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(d, "wide.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(wide) + "\n")


def date_of(day):
    return (datetime.date(2024, 1, 1) + datetime.timedelta(days=day)).isoformat()


class DwellParallel(unittest.TestCase):
    """dwell reads a large history on all threads: per-part deal and stage indexes merged in
    file order, out-of-order rows decided by replaying the rows against each deal's latest time
    so far. Output, warnings (their counts, first rows and order) and errors equal the serial
    read's."""
    STAGES = ["--stages", "lead,qualified,proposal,negotiation,won"]

    def check(self, cmd, data=None, thread_counts=("2", "3", "7")):
        serial = MetricEngineParallel.run_threads(cmd, "1", data)
        for threads in thread_counts:
            with self.subTest(cmd=cmd[2:], threads=threads):
                par = MetricEngineParallel.run_threads(cmd, threads, data)
                self.assertEqual(par.returncode, serial.returncode, par.stderr)
                self.assertTrue(par.stdout == serial.stdout, "stdout differs")
                self.assertTrue(par.stderr == serial.stderr, par.stderr)
        return serial

    def test_long_layout(self):
        with tempfile.TemporaryDirectory() as d:
            write_history(d, 2500, 11)
            path = os.path.join(d, "history.csv")
            for extra in ([], ["--out-of-order", "ignore"], ["--mode", "latest", "--by", "region"]):
                cmd = [CRMKPI, "dwell", path, *self.STAGES, "--format", "json", *extra]
                serial = self.check(cmd)
                self.assertEqual(serial.returncode, 0, serial.stderr)
                for needle in (b"is earlier than an earlier row", b"is not in --stages",
                               b"is not a date", b"no deal id", b"no stage"):
                    self.assertIn(needle, serial.stderr)
            with open(path, "rb") as f:
                data = f.read()
            cmd = [CRMKPI, "dwell", "-", *self.STAGES, "--format", "json"]
            self.assertEqual(self.check(cmd, data).returncode, 0)

    def test_late_only_against_earlier_chunks(self):
        """Rows late only against a deal's rows in earlier chunks: the first out-of-order
        warning names the same row, in the same place among the other warnings."""
        with tempfile.TemporaryDirectory() as d:
            write_history(d, 2500, 12, late_tail=True)
            path = os.path.join(d, "history.csv")
            cmd = [CRMKPI, "dwell", path, *self.STAGES, "--format", "json"]
            serial = self.check(cmd)
            self.assertEqual(serial.returncode, 0, serial.stderr)
            err = serial.stderr.decode()
            order = [err.index(s) for s in ("is not a date", "is earlier than an earlier row",
                                            "is not in --stages")]
            self.assertEqual(order, sorted(order), err)
            self.assertIn("2 rows", err[order[1]:order[2]])  # D3's two late rows
            self.check(cmd + ["--out-of-order", "ignore"])

    def test_wide_layout(self):
        with tempfile.TemporaryDirectory() as d:
            write_history(d, 3000, 13)
            path = os.path.join(d, "wide.csv")
            cmd = [CRMKPI, "dwell", path, *self.STAGES, "--format", "json", "--by", "region"]
            serial = self.check(cmd)
            self.assertEqual(serial.returncode, 0, serial.stderr)
            self.assertIn(b"is not a date", serial.stderr)
            self.assertIn(b'"demo"', serial.stdout)
            self.assertIn(b'"review"', serial.stdout)

    def test_malformed_record_same_error(self):
        with tempfile.TemporaryDirectory() as d:
            write_history(d, 2500, 14)
            path = os.path.join(d, "history.csv")
            with open(path, "rb") as f:
                data = f.read()
            cut = data.index(b"\n", len(data) * 2 // 3)
            with open(path, "wb") as f:
                f.write(data[:cut] + b"\nD7,short" + data[cut:])
            cmd = [CRMKPI, "dwell", path, *self.STAGES, "--format", "json"]
            serial = self.check(cmd, thread_counts=("2", "7"))
            self.assertEqual(serial.returncode, 3, serial.stderr)
            self.assertIn(b"fields", serial.stderr)


def main():
    global CRMKPI
    if len(sys.argv) < 2:
        print(f"usage: {sys.argv[0]} path/to/crmkpi [unittest options]", file=sys.stderr)
        return 2
    CRMKPI = os.path.abspath(sys.argv[1])
    prog = unittest.main(argv=[sys.argv[0]] + sys.argv[2:], exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
