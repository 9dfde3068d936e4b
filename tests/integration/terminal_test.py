#!/usr/bin/env python3
"""Every table of every command on every shipped example fits the terminal it is shown on.

    terminal_test.py CRMKPI

Runs each command below on a pseudo-terminal (pty.fork, the window size set with TIOCSWINSZ
and COLUMNS set to the same width) at 80, 120 and 60 columns, and fails when a line of what it
prints is wider than the terminal: display width as a terminal counts it (East Asian Width W
and F count 2, combining marks 0, ANSI escapes stripped). Also checks that

  - with CRMKPI_AMBIGUOUS_WIDE=1, lines fit when East Asian ambiguous characters count 2,
  - piped output does not depend on COLUMNS (no limit when stdout is not a terminal),
  - a run with NO_COLOR on the terminal has no escape sequence, and --color always has one,
  - the progress line leaves nothing behind (every \\r-separated piece fits the width).

Standard library only; exit status 0 when every check passed, 1 otherwise.
"""
import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EX = os.path.join(REPO, "examples")
CRMKPI = None

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def width(text, ambiguous_wide=False):
    """Terminal columns of one line: W/F count 2 (and A when ambiguous_wide), combining and
    zero-width 0."""
    wide = ("W", "F", "A") if ambiguous_wide else ("W", "F")
    w = 0
    for ch in ANSI.sub("", text):
        if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\u200e\u200f\ufeff":
            continue
        if unicodedata.category(ch) == "Cc":
            continue
        w += 2 if unicodedata.east_asian_width(ch) in wide else 1
    return w


def commands():
    """(name, argv) for every command on every example."""
    out = []
    for d in sorted(os.listdir(EX)):
        ini = os.path.join(EX, d, "kpi.ini")
        if os.path.isfile(ini):
            out.append((f"report {d}", ["report", "-c", ini]))
            if "[tree]" in open(ini, encoding="utf-8").read():
                out.append((f"tree {d}", ["tree", "-c", ini]))
            out.append((f"lint {d}", ["lint", "-c", ini]))
            out.append((f"describe {d}", ["describe", "-c", ini]))
            out.append((f"views {d}", ["views", "-c", ini]))
    y = os.path.join(EX, "yojitsu", "kpi.ini")
    out += [
        ("report yojitsu compare", ["report", "-c", y, "--compare", "previous", "--trend", "3"]),
        ("report yojitsu 営業会議", ["report", "-c", y, "--view", "営業会議"]),
        ("report yojitsu 現場", ["report", "-c", y, "--view", "現場"]),
        ("report yojitsu 経営会議", ["report", "-c", y, "--view", "経営会議"]),
        ("tree yojitsu by", ["tree", "-c", y, "--by", "担当者", "--period", "month"]),
        ("tree yojitsu baseline", ["tree", "-c", y, "--period", "month", "--baseline",
                                   "previous"]),
        ("describe yojitsu ja", ["describe", "-c", y, "--lang", "ja"]),
        ("tree sales what-if", ["tree", "-c", os.path.join(EX, "sales_efficiency", "kpi.ini"),
                                "--set", "win_rate=35%"]),
        ("lint sales --data", ["lint", "-c", os.path.join(EX, "sales_efficiency", "kpi.ini"),
                               "--data"]),
        ("report deals", ["report", os.path.join(EX, "deals.csv"), "--by", "owner"]),
        ("report cp932", ["report", os.path.join(EX, "deals_cp932.csv"), "--encoding", "cp932",
                          "--by", "owner"]),
        ("columns deals", ["columns", os.path.join(EX, "deals.csv")]),
        ("columns contacts", ["columns", os.path.join(EX, "quality", "contacts.csv")]),
        ("check quality", ["check", "-c", os.path.join(EX, "quality", "quality.ini")]),
        ("forecast", ["forecast", os.path.join(EX, "forecast", "forecast.csv"), "--actual",
                      os.path.join(EX, "forecast", "deals.csv"), "--by", "owner"]),
        ("roi", ["roi", "-c", os.path.join(EX, "roi", "roi.ini")]),
    ]
    sh = os.path.join(EX, "stage_history")
    out += [
        ("dwell long", ["dwell", os.path.join(sh, "history_long.csv"), "--stages",
                        "Prospecting,Qualification,Proposal,Negotiation,Closed Won",
                        "--as-of", "2025-03-31"]),
        ("dwell wide", ["dwell", os.path.join(sh, "history_wide.csv"), "--as-of", "2025-03-31"]),
        ("dwell maven", ["dwell", os.path.join(sh, "maven_pipeline.csv"), "--stages",
                         "Prospecting,Engaging,Won", "--entered", "Engaging=engage_date",
                         "--entered", "Won=close_date", "--entered", "Lost=close_date",
                         "--as-of", "2017-12-31"]),
    ]
    return out


def env_for(cols, extra=None):
    env = dict(os.environ)
    for k in ("NO_COLOR", "CRMKPI_AMBIGUOUS_WIDE", "COLUMNS"):
        env.pop(k, None)
    env["TERM"] = "xterm-256color"
    if cols is not None:
        env["COLUMNS"] = str(cols)
    env.update(extra or {})
    return env


def run_pty(argv, cols, extra_env=None, rows=24, stderr=False):
    """Runs crmkpi on a pseudo-terminal of cols×rows; returns (exit code, output as text).

    Standard error goes to /dev/null unless |stderr| (messages are not tables: they keep
    their one-line `crmkpi: FILE:LINE:COL: message` form for grep)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            # No \n -> \r\n translation, so lines are what crmkpi wrote.
            attrs = termios.tcgetattr(1)
            attrs[1] &= ~termios.OPOST
            termios.tcsetattr(1, termios.TCSANOW, attrs)
            if not stderr:
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, 2)
            os.chdir(REPO)
            os.execve(CRMKPI, [CRMKPI] + argv, env_for(cols, extra_env))
        finally:
            os._exit(127)
    chunks = []
    while True:
        try:
            ready, _, _ = select.select([fd], [], [], 120)
            if not ready:
                break
            data = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", "replace")


def run_pipe(argv, cols):
    p = subprocess.run([CRMKPI] + argv, cwd=REPO, env=env_for(cols), capture_output=True)
    return p.returncode, p.stdout


FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL:", msg)


def check_fits(name, argv, cols, extra_env=None):
    amb = bool(extra_env and extra_env.get("CRMKPI_AMBIGUOUS_WIDE"))
    code, text = run_pty(argv, cols, extra_env)
    if code not in (0, 1):
        fail(f"{name} at {cols}: exit {code}\n{text[:2000]}")
        return
    for n, line in enumerate(text.split("\n"), 1):
        # A progress line rewrites itself with \r: each piece must fit.
        for piece in line.split("\r"):
            w = width(piece, amb)
            if w > cols:
                fail(f"{name} at {cols} columns{' (ambiguous wide)' if amb else ''}: line {n} "
                     f"is {w} wide:\n  {piece!r}")
                return


def main():
    global CRMKPI
    CRMKPI = os.path.abspath(sys.argv[1])
    cmds = commands()
    for cols in (80, 120, 60):
        for name, argv in cmds:
            check_fits(name, argv, cols)
    # A CJK terminal draws ─ │ ├ ○ two columns wide: with CRMKPI_AMBIGUOUS_WIDE=1 the tables
    # still fit when measured so.
    for name, argv in cmds:
        check_fits(name, argv, 80, {"CRMKPI_AMBIGUOUS_WIDE": "1"})

    # Piped: COLUMNS changes nothing.
    for name, argv in cmds:
        a = run_pipe(argv, None)
        b = run_pipe(argv, 40)
        if a != b:
            fail(f"{name}: piped output changes with COLUMNS=40")
        if b"\x1b[" in a[1]:
            fail(f"{name}: piped output holds an escape sequence")

    # Colour: on a terminal by default, never with NO_COLOR, always with --color always.
    check = ["check", "-c", os.path.join(EX, "quality", "quality.ini")]
    _, text = run_pty(check, 80)
    if "\x1b[" not in text:
        fail("check on a terminal: no colour")
    _, text = run_pty(check, 80, {"NO_COLOR": "1"})
    if "\x1b[" in text:
        fail("check with NO_COLOR: colour")
    _, text = run_pty(check, 80, {"TERM": "dumb"})
    if "\x1b[" in text:
        fail("check with TERM=dumb: colour")
    _, text = run_pty(check + ["--color", "never"], 80)
    if "\x1b[" in text:
        fail("check --color never: colour")
    p = subprocess.run([CRMKPI] + check + ["--color", "always"], cwd=REPO, env=env_for(None),
                       capture_output=True)
    if b"\x1b[" not in p.stdout:
        fail("check --color always piped: no colour")

    # The progress line (drawn on a small input with CRMKPI_PROGRESS_MIN_BYTES=1), for a file
    # whose name alone is wider than the terminal: truncated to the width, so it never wraps,
    # and cleared (\r ESC[K) before the report is printed, so no stale line stays behind.
    with tempfile.TemporaryDirectory() as d:
        long_name = os.path.join(d, "商談データ_" + "x" * 90 + ".csv")
        shutil.copy(os.path.join(EX, "deals.csv"), long_name)
        code, text = run_pty(["report", long_name, "--by", "owner"], 60,
                             {"CRMKPI_PROGRESS_MIN_BYTES": "1"}, stderr=True)
        drawn = [p for p in re.split(r"[\r\n]", ANSI.sub("", text)) if "MB" in p and "rows" in p]
        if not drawn:
            fail(f"progress: no line drawn: {text[:300]!r}")
        for piece in drawn:
            if width(piece) >= 60:
                fail(f"progress at 60 columns: {width(piece)} wide: {piece!r}")
        last_draw = max(text.rfind(p) for p in drawn) if drawn else -1
        clear = text.find("\r\x1b[K", last_draw)
        report_at = text.find("Total")
        if clear < 0 or (report_at >= 0 and clear > report_at):
            fail(f"progress: not cleared before the report: {text[:300]!r}")

    print(f"{len(cmds)} commands × 3 widths; {len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
