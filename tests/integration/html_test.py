#!/usr/bin/env python3
"""The HTML dashboards (-f html) rendered in a real browser: headless Chromium, driven over the
DevTools protocol on --remote-debugging-pipe (fds 3 and 4, NUL-terminated JSON).

For each example case (every examples/*/kpi.ini's report and tree, the check example, dwell,
forecast, roi, views, report --checks, a --view with --compare/--trend and a targets table) the
test writes the HTML and the JSON of the same command, loads the HTML from file:// and fails on
  - any console message, log entry of level warning/error (a CSP violation is one) or exception;
  - any network request other than the page itself;
  - a [data-value] whose number differs from the JSON's at its data-json pointer, or a number of
    the JSON (each KPI's value, target and achievement, each tree node's figures, each check's
    value and counts, each numeric list cell, each trend point) with no element in the page;
  - a missing expected section;
and writes a 1280x800 PNG screenshot of each page into OUTDIR (default: the current directory),
and prints one page to PDF (landscape A4). A self-check tampers one number in the DOM and makes
sure the comparison then fails, so the test can fail.

    html_test.py CRMKPI [OUTDIR]

Skipped (exit 77) when chromium is not installed (.ci/setup.sh installs it in test mode).
"""
import base64
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EX = os.path.join(ROOT, "examples")
TIMEOUT = 30  # seconds per protocol answer or page load


def find_browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """One headless Chromium for all pages, one tab (session) reused."""

    def __init__(self, exe, profile):
        cmd_r, self.cmd_w = os.pipe()
        self.res_r, res_w = os.pipe()
        # Keep our ends away from 3 and 4, which the child's ends become.
        cmd_r = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10)
        res_w = fcntl.fcntl(res_w, fcntl.F_DUPFD, 10)

        def child_fds():
            os.dup2(cmd_r, 3)
            os.dup2(res_w, 4)

        # Debian's /usr/bin/chromium is a shell wrapper; it passes the fds on to the binary.
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-sync",
             "--disable-background-networking", "--disable-component-update",
             "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
             "--user-data-dir=" + profile, "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=child_fds)
        os.close(cmd_r)
        os.close(res_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self.res_r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe (exit %s)" % self.proc.poll())
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + TIMEOUT
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_event(self, method):
        deadline = time.time() + TIMEOUT
        for i, e in enumerate(self.events):
            if e["method"] == method:
                return self.events.pop(i)
        while True:
            m = self._read_message(deadline)
            if m.get("method") == method:
                return m
            if "method" in m:
                self.events.append(m)

    def open_tab(self):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send("Target.attachToTarget",
                             {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(domain + ".enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False})

    def load(self, path):
        self.events = []
        url = "file://" + path
        self.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")
        # Let late console messages and requests arrive.
        self.send("Runtime.evaluate", {"expression": "1"})
        problems = []
        for e in self.events:
            m, p = e["method"], e.get("params", {})
            if m == "Runtime.consoleAPICalled":
                problems.append("console.%s: %s" % (p.get("type"), p.get("args")))
            elif m == "Log.entryAdded" and p["entry"]["level"] in ("warning", "error"):
                problems.append("log %s: %s" % (p["entry"]["level"], p["entry"].get("text")))
            elif m == "Runtime.exceptionThrown":
                problems.append("exception: %s" % p.get("exceptionDetails"))
            elif m == "Network.requestWillBeSent" and p["request"]["url"] != url:
                problems.append("network request: %s" % p["request"]["url"])
        return problems

    def evaluate(self, expression):
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError("evaluate: %s" % r["exceptionDetails"])
        return r["result"].get("value")

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def resolve(doc, pointer):
    """RFC 6901 JSON Pointer."""
    node = doc
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(token)]
        else:
            node = node[token]
    return node


def token(s):
    return str(s).replace("~", "~0").replace("/", "~1")


# The numbers of a document the page must show, by the shape of their pointer.
COVERED = [
    r"/kpis/\d+/(value|target|achievement)",
    r"(/tree)?/tree/\d+(/children/\d+)*/(value|reference|target|achievement|contribution|contribution_share)",
    r"/groups/\d+/tree/\d+(/children/\d+)*/(value|reference|target|achievement|contribution|contribution_share)",
    r"/checks/\d+/(value|numerator|denominator)",
    r"/lists/[^/]+/\d+/[^/]+",
    r"/trend/series/\d+/(values/\d+|target)",
    r"/views/\d+/trend",
    r"/summary/(pass|warn|fail|error)",
]


def numbers(node, pointer=""):
    if isinstance(node, bool) or node is None:
        return
    if isinstance(node, (int, float)):
        yield pointer, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from numbers(v, pointer + "/" + token(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from numbers(v, pointer + "/" + str(i))


def compare(doc, found, command):
    """Differences between the page's [data-value]s and the JSON: a list of messages."""
    errors = []
    shown = {}
    for pointer, value in found:
        try:
            expected = resolve(doc, pointer)
        except (KeyError, IndexError, ValueError, TypeError):
            errors.append("%s: no such number in the JSON (page shows %s)" % (pointer, value))
            continue
        if isinstance(expected, bool) or not isinstance(expected, (int, float)):
            errors.append("%s: JSON has %r, page shows %s" % (pointer, expected, value))
        elif float(value) != float(expected):
            errors.append("%s: page shows %s, JSON has %r" % (pointer, value, expected))
        shown[pointer] = value
    prefixes = ("/report", "/checks", "") if command == "report --checks" else ("",)
    for pointer, value in numbers(doc):
        rest = None
        for p in prefixes:
            if p and pointer.startswith(p + "/"):
                rest = pointer[len(p):]
                break
        if rest is None:
            rest = pointer
        if not any(re.fullmatch(pattern, rest) for pattern in COVERED):
            continue
        if command == "tree" and rest.startswith("/kpis/"):
            index = int(rest.split("/")[2])
            if resolve(doc, "/kpis/%d/group" % index):
                continue  # the tree page's cards are the whole data's KPIs
        if pointer not in shown:
            errors.append("%s = %r: not shown in the page" % (pointer, value))
    return errors


EXTRACT = ("JSON.stringify(Array.from(document.querySelectorAll('[data-value]'))"
           ".map(e => [e.dataset.json, e.dataset.value]))")
SECTIONS = "JSON.stringify(Array.from(document.querySelectorAll('section[id]')).map(e => e.id))"
DOC_CHECKS = """JSON.stringify({
  lang: document.documentElement.lang,
  charset: document.characterSet,
  csp: (document.querySelector('meta[http-equiv=Content-Security-Policy]') || {}).content || '',
  scripts: document.scripts.length,
  svgs: document.querySelectorAll('svg').length,
  width: document.documentElement.scrollWidth})"""


# Owner names that would run a script or fetch an image if they were not escaped.
HOSTILE = "\n".join([
    "id,owner,stage,amount,created,close_date",
    "1,<script>console.error('xss')</script>,won,100,2024-01-10,2024-01-31",
    '2,"<img src=""http://127.0.0.1:9/x.png"" onerror=""console.error(1)"">",lost,50,'
    "2024-01-05,2024-02-10",
    "3,佐藤　花子 & <b>co</b>,won,300,2024-02-01,2024-02-21",
    ""])


def cases(tmp):
    """(name, cwd, args, sections the page must have)."""
    hostile = os.path.join(tmp, "hostile")
    os.makedirs(hostile, exist_ok=True)
    with open(os.path.join(hostile, "deals.csv"), "w", encoding="utf-8") as f:
        f.write(HOSTILE)
    out = [("report_hostile_names", hostile, ["report", "deals.csv", "--by", "owner"],
            ["kpis", "by-owner"])]
    for d in sorted(os.listdir(EX)):
        ini = os.path.join(EX, d, "kpi.ini")
        if os.path.isfile(ini) and d != "roi":
            out.append(("report_" + d, os.path.join(EX, d), ["report", "-c", "kpi.ini"],
                        ["kpis"]))
            with open(ini, encoding="utf-8") as f:
                has_tree = re.search(r"^\s*\[tree\]", f.read(), re.M) is not None
            if has_tree:
                out.append(("tree_" + d, os.path.join(EX, d), ["tree", "-c", "kpi.ini"],
                            ["kpis", "tree", "attribution"]))
    out += [
        ("report_yojitsu_compare_trend", os.path.join(EX, "yojitsu"),
         ["report", "-c", "kpi.ini", "--compare", "previous", "--trend", "3"],
         ["kpis", "achievement", "trend"]),
        ("report_yojitsu_view", os.path.join(EX, "yojitsu"),
         ["report", "-c", "kpi.ini", "--view", "経営会議"], ["view", "kpis"]),
        ("report_yojitsu_tree_by", os.path.join(EX, "yojitsu"),
         ["tree", "-c", "kpi.ini", "--by", "担当者", "--period", "month"], ["kpis", "tree"]),
        ("report_deals_by_owner", EX,
         ["report", "deals.csv", "--by", "owner", "--period", "quarter", "--compare", "previous"],
         ["kpis", "by-owner-period"]),
        ("check_quality", os.path.join(EX, "quality"), ["check", "-c", "quality.ini"],
         ["summary", "checks", "samples"]),
        ("report_checks", os.path.join(ROOT, "tests", "golden", "report_checks"),
         ["report", "-c", "kpi.ini", "--checks", "--as-of", "2024-07-01"], None),
        ("dwell_history_long", os.path.join(EX, "stage_history"),
         ["dwell", "history_long.csv", "--stages",
          "Prospecting,Qualification,Proposal,Negotiation,Closed Won", "--as-of", "2025-03-31"],
         ["kpis", "funnel", "dwell", "list-stuck"]),
        ("forecast", os.path.join(EX, "forecast"),
         ["forecast", "forecast.csv", "--actual", "deals.csv", "--by", "owner"],
         ["kpis", "forecast-vs-actual"]),
        ("roi", os.path.join(EX, "roi"), ["roi", "-c", "roi.ini"], ["kpis", "cash-flow"]),
        ("views_yojitsu", os.path.join(EX, "yojitsu"), ["views", "-c", "kpi.ini"], ["views"]),
    ]
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    crmkpi = os.path.abspath(sys.argv[1])
    outdir = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.getcwd()
    exe = find_browser()
    if exe is None:
        print("SKIP: chromium is not installed (apt-get install chromium; .ci/setup.sh test "
              "installs it)")
        return 77
    os.makedirs(outdir, exist_ok=True)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        browser = Browser(exe, os.path.join(tmp, "profile"))
        try:
            browser.open_tab()
            pdf_done = False
            tampered = False
            for name, cwd, args, sections in cases(tmp):
                html_path = os.path.join(tmp, name + ".html")
                runs = {}
                for fmt, path in (("html", html_path), ("json", os.path.join(tmp, name + ".json"))):
                    p = subprocess.run([crmkpi] + args + ["-f", fmt, "-o", path, "-q"], cwd=cwd,
                                       capture_output=True, text=True)
                    runs[fmt] = p.returncode
                    if p.returncode not in (0, 1):
                        failures.append("%s -f %s: exit %d: %s" % (name, fmt, p.returncode,
                                                                   p.stderr.strip()))
                if runs["html"] != runs["json"]:
                    failures.append("%s: exit %s with html, %s with json" % (name, runs["html"],
                                                                               runs["json"]))
                if not os.path.exists(html_path):
                    continue
                with open(os.path.join(tmp, name + ".json"), encoding="utf-8") as f:
                    doc = json.load(f)
                command = doc.get("command", args[0])
                problems = browser.load(html_path)
                failures += ["%s: %s" % (name, x) for x in problems]
                found = json.loads(browser.evaluate(EXTRACT))
                errors = compare(doc, found, command)
                failures += ["%s: %s" % (name, e) for e in errors]
                info = json.loads(browser.evaluate(DOC_CHECKS))
                if name == "report_hostile_names":
                    text = browser.evaluate("document.body.innerText")
                    for owner in ("<script>console.error('xss')</script>", "<img src=",
                                  "佐藤 花子 & <b>co</b>"):
                        if owner not in text:
                            failures.append("%s: %r is not shown as text" % (name, owner))
                    if browser.evaluate("document.querySelectorAll('img, b').length") != 0:
                        failures.append("%s: an owner name became markup" % name)
                if info["charset"].lower() != "utf-8" or info["scripts"] != 0:
                    failures.append("%s: charset %s, %d scripts" % (name, info["charset"],
                                                                   info["scripts"]))
                if "default-src 'none'" not in info["csp"]:
                    failures.append("%s: no Content-Security-Policy meta" % name)
                have = json.loads(browser.evaluate(SECTIONS))
                for s in sections or []:
                    if s not in have:
                        failures.append("%s: no section #%s (has %s)" % (name, s, have))
                if sections is None and not {"kpis", "tree", "summary"} <= set(have):
                    failures.append("%s: sections %s" % (name, have))
                if not found:
                    failures.append("%s: no [data-value] in the page" % name)
                shot = browser.send("Page.captureScreenshot", {"format": "png"})
                with open(os.path.join(outdir, "html_" + name + ".png"), "wb") as f:
                    f.write(base64.b64decode(shot["data"]))
                if not pdf_done:
                    pdf = browser.send("Page.printToPDF", {"landscape": True, "paperWidth": 11.69,
                                                           "paperHeight": 8.27,
                                                           "printBackground": True})
                    data = base64.b64decode(pdf["data"])
                    if not data.startswith(b"%PDF"):
                        failures.append("%s: printToPDF gave no PDF" % name)
                    with open(os.path.join(outdir, "html_" + name + ".pdf"), "wb") as f:
                        f.write(data)
                    pdf_done = True
                if not tampered and found:
                    # The self-check: one number changed in the DOM must be caught.
                    browser.evaluate("(() => { const e = document.querySelector('[data-value]');"
                                     " e.dataset.value = String(Number(e.dataset.value) + 1);"
                                     " })()")
                    again = json.loads(browser.evaluate(EXTRACT))
                    if not compare(doc, again, command):
                        failures.append("self-check: a tampered number was not caught")
                    # ...and so must a number of the JSON missing from the page.
                    dropped = [f for f in found if f[0] != found[0][0]]
                    if not compare(doc, dropped, command):
                        failures.append("self-check: a number missing from the page was not "
                                        "caught (%s)" % found[0][0])
                    tampered = True
                print("ok %s: %d numbers, sections %s" % (name, len(found), " ".join(have)))
        finally:
            browser.close()
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
