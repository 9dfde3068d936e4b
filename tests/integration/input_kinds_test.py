#!/usr/bin/env python3
"""Inputs that are not regular files: named pipes (FIFOs), a directory, /dev/null.

    python3 tests/integration/input_kinds_test.py path/to/crmkpi [unittest options]

A FIFO must be read like standard input (streamed), never opened a second time: opening a FIFO
blocks until a writer appears, so a reader that re-opened the path after the header to plan its
parallel chunks hung forever once the writer had finished (issue 18, defect 3). Each command
that reads CSV (report, report -c, dwell, check) runs on a FIFO, with a timeout, with several
threads and small chunks (so a regular file of the same bytes is split), and must print what it
prints for the regular file. Two writers: one that has written everything and closed its end
before the reader gets past the header (this hung every time), and a background `cat` (this
hung in about half the runs). Standard library only.
"""

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

CRMKPI = None
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TIMEOUT = 30  # seconds; a run takes milliseconds

DEALS = os.path.join(ROOT, "tests", "golden", "report_ini_by_period", "deals.csv")
INI = os.path.join(ROOT, "tests", "golden", "report_ini_by_period", "kpi.ini")
HISTORY = os.path.join(ROOT, "examples", "stage_history", "history_long.csv")
STAGES = "Prospecting,Qualification,Proposal,Negotiation,Closed Won"

# (name, source file, arguments with {f} for the input path, files to copy beside it)
COMMANDS = [
    ("report", DEALS, ["report", "{f}", "--by", "owner", "--format", "json"]),
    ("report -c", DEALS, ["report", "-c", "kpi.ini", "--format", "csv"]),
    ("dwell", HISTORY, ["dwell", "{f}", "--stages", STAGES, "--as-of", "2025-03-31"]),
    ("check", DEALS, ["check", "{f}", "--require", "stage,amount", "--max-missing", "5%"]),
]
PARALLEL = ["--threads", "4", "--min-chunk-bytes", "64"]


def run(args, cwd):
    return subprocess.run([CRMKPI] + args, cwd=cwd, capture_output=True, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL)


def fd_open_by(pid, path):
    """Whether process |pid| has |path| open."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                return True
        except OSError:
            pass
    return False


class FifoTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="crmkpi-fifo-")
        self.addCleanup(shutil.rmtree, self.dir)

    def prepare(self, source, args):
        """The run on a regular file, and a directory holding a FIFO of the same name (in.csv)
        with the same kpi.ini: the arguments for a run there, the FIFO, and the bytes."""
        regular = tempfile.mkdtemp(dir=self.dir)
        fifo_dir = tempfile.mkdtemp(dir=self.dir)
        for d in (regular, fifo_dir):
            shutil.copy(INI, os.path.join(d, "kpi.ini"))
            with open(INI, encoding="utf-8") as f:
                text = f.read()
            with open(os.path.join(d, "kpi.ini"), "w", encoding="utf-8") as f:
                f.write(text.replace("file = deals.csv", "file = in.csv"))
        shutil.copy(source, os.path.join(regular, "in.csv"))
        full = [a.format(f="in.csv") for a in args] + PARALLEL
        want = run(full, regular)
        self.assertIn(want.returncode, (0, 1), want.stderr)
        fifo = os.path.join(fifo_dir, "in.csv")
        os.mkfifo(fifo)
        with open(source, "rb") as f:
            data = f.read()
        return want, full, fifo_dir, fifo, data

    def check_same(self, label, want, got):
        self.assertEqual(got.returncode, want.returncode, f"{label}: {got.stderr!r}")
        self.assertEqual(got.stdout, want.stdout, label)
        self.assertEqual(got.stderr, want.stderr, label)

    def test_writer_closed_before_the_header_is_read(self):
        for label, source, args in COMMANDS:
            with self.subTest(label):
                want, fifo_args, cwd, fifo, data = self.prepare(source, args)
                self.assertLess(len(data), 60000, "must fit in the pipe buffer")
                # Our end holds the FIFO open while crmkpi opens it; the data is in the pipe
                # and our end is closed before crmkpi reads past the header, so nobody writes
                # any more: a second open of the path by crmkpi would wait forever.
                w = os.open(fifo, os.O_RDWR)
                try:
                    os.write(w, data)
                    proc = subprocess.Popen([CRMKPI] + fifo_args, cwd=cwd,
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                            stdin=subprocess.DEVNULL)
                    deadline = time.time() + TIMEOUT
                    while not fd_open_by(proc.pid, fifo) and proc.poll() is None:
                        self.assertLess(time.time(), deadline, "crmkpi never opened the FIFO")
                        time.sleep(0.001)
                finally:
                    os.close(w)
                try:
                    out, err = proc.communicate(timeout=TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.communicate()
                    self.fail(f"{label}: hangs on a FIFO whose writer has finished")
                self.check_same(label, want, subprocess.CompletedProcess(
                    proc.args, proc.returncode, out, err))

    def test_background_writer(self):
        for label, source, args in COMMANDS:
            with self.subTest(label):
                for attempt in range(5):
                    want, fifo_args, cwd, fifo, data = self.prepare(source, args)

                    def write():
                        with open(fifo, "wb") as f:
                            f.write(data)

                    writer = threading.Thread(target=write, daemon=True)
                    writer.start()
                    try:
                        got = run(fifo_args, cwd)
                    except subprocess.TimeoutExpired:
                        self.fail(f"{label}: hangs on a FIFO (attempt {attempt + 1})")
                    writer.join(TIMEOUT)
                    self.check_same(label, want, got)


class OtherInputsTest(unittest.TestCase):
    def test_directory(self):
        with tempfile.TemporaryDirectory() as d:
            got = run(["report", d], d)
            self.assertEqual(got.returncode, 3)
            self.assertEqual(got.stderr.decode(),
                             f"crmkpi: {d}: is a directory, not a CSV file; name a file in it\n")

    def test_dev_null(self):
        if not stat.S_ISCHR(os.stat("/dev/null").st_mode):
            self.skipTest("no /dev/null device")
        for args in (["report", "/dev/null"], ["check", "/dev/null", "--require", "stage"],
                     ["dwell", "/dev/null"], ["columns", "/dev/null"]):
            with self.subTest(args[0]):
                got = run(args + ["--threads", "4"] if args[0] != "columns" else args, "/")
                self.assertEqual(got.returncode, 3, got.stderr)
                self.assertIn(b"/dev/null: empty input: a header row is required", got.stderr)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: input_kinds_test.py CRMKPI [unittest options]")
    CRMKPI = os.path.abspath(sys.argv.pop(1))
    unittest.main()
