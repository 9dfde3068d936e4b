#!/usr/bin/env python3
"""`crmkpi report -c kpi.ini --checks`: KPIs, tree and checks from one read of each source.

The definition (written here) has three sources:
  deals      examples/deals.csv: the built-in metrics, KPIs and tree (crmkpi init --by owner
             --checks) and init's starter checks (completeness, uniqueness of the id, rows);
  contacts   examples/quality/contacts.csv: one metric and the quality example's checks
             (near-duplicate candidates among them: read in file order, never in chunks);
  audit      the same contacts file with a check and no metric: the checks read it alone;
  spread     a generated file whose only duplicate key spans chunks: read again for its check
             when the metrics read it in chunks.

Checked:
  - the combined JSON's "report", "tree" and "checks" are the documents `report -c`, `tree -c`
    and `check -c` print for the same definition (serially, and on 4 threads in small chunks);
  - one read per source: the deals source given on standard input and through a FIFO (which
    can be read once) gives the same documents as separate runs from the file;
  - the exit code is check's (1: a check fails; 0 once the failing limits are relaxed), the
    table shows the three parts, and the refusals (no -c, -f csv, no [check]) exit 2.

    full_report_test.py CRMKPI EXAMPLES_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import threading

CRMKPI, EXAMPLES = sys.argv[1], os.path.abspath(sys.argv[2])
AS_OF = "2026-11-01"
failures = []


def run(args, cwd, stdin=None):
    return subprocess.run([CRMKPI] + args, cwd=cwd, capture_output=True, input=stdin,
                          timeout=120)


def fail(message):
    failures.append(message)
    print("FAIL:", message)


def check(cond, message):
    if not cond:
        fail(message)


def write_definition(tmp, fail_limits=True):
    ini = os.path.join(tmp, "kpi.ini")
    deals = os.path.join(EXAMPLES, "deals.csv")
    p = run(["init", deals, "--by", "owner", "--checks", "-o", ini, "--force", "-q"], tmp)
    assert p.returncode == 0, p.stderr.decode()
    with open(os.path.join(EXAMPLES, "quality", "quality.ini"), encoding="utf-8") as f:
        quality = f.read()
    contacts = os.path.join(EXAMPLES, "quality", "contacts.csv")
    quality = quality.replace("[crmkpi]\nas_of = 2026-11-01\n", "")
    quality = quality.replace("[check required]", "[check contacts_required]")
    quality = quality.replace("file = contacts.csv", "file = " + contacts)
    if not fail_limits:
        for limit in ("fail = 10%", "fail = 1%", "fail = 75%", "fail = 1\n"):
            quality = quality.replace(limit, "fail = 100%\n" if limit.endswith("\n") else "fail = 100%")
        quality = quality.replace("warn = 0\n", "")
        for unlimited in ("rule = email\n", "max_age_days = 30\n"):
            quality = quality.replace(unlimited, unlimited + "fail = 100%\n")
    with open(ini, encoding="utf-8") as f:
        text = f.read()
    if not fail_limits:
        text = text.replace("fail = 5%", "fail = 100%")
    text = text.replace("as_of = data", "as_of = " + AS_OF)
    spread = write_spread(tmp)
    text += "\n" + quality + f"""
[metric contact_count]
source = contacts

[kpi contacts]
formula = contact_count
unit = count

[source audit]
file = {contacts}

[source spread]
file = {spread}

[metric spread_rows]
source = spread

[kpi spread]
formula = spread_rows
unit = count

[check spread_key_unique]
type = uniqueness
source = spread
columns = key
fail = 100%

[check audit_rows]
type = row_count
source = audit
min = 1
"""
    with open(ini, "w", encoding="utf-8") as f:
        f.write(text)
    return ini


def write_spread(tmp):
    """Unique keys but for one pair, the first and the last row: in chunks, no chunk sees the
    duplicate, so the merged samples cannot be the serial pass's and the source is read again
    for its checks (quality_run.h, CheckPass)."""
    path = os.path.join(tmp, "spread.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("key,stage,amount\n")
        for i in range(400):
            f.write(f"{'dup' if i in (0, 399) else 'k' + str(i)},open,{i}\n")
    return path


def separate(ini, tmp, extra=()):
    docs = {}
    for cmd in ("report", "tree", "check"):
        p = run([cmd, "-c", ini, "-f", "json", "-q", *extra], tmp)
        check(p.returncode in (0, 1), f"{cmd} -c: exit {p.returncode}: {p.stderr.decode()}")
        docs[cmd] = json.loads(p.stdout)
    return docs


def combined(args, tmp, stdin=None):
    p = run(["report", "-c", *args, "--checks", "-f", "json", "-q"], tmp, stdin)
    check(p.returncode in (0, 1), f"report --checks {args}: exit {p.returncode}: "
          f"{p.stderr.decode()}")
    return p, (json.loads(p.stdout) if p.stdout else {})


def same_but_name(doc, file_doc, name):
    """|doc| (deals read from |name|) equals |file_doc| once both call the deals file DEALS."""
    def normal(v, names):
        if isinstance(v, dict):
            return {k: normal(x, names) for k, x in v.items()}
        if isinstance(v, list):
            return [normal(x, names) for x in v]
        if isinstance(v, str):
            for n in names:
                v = v.replace(n, "DEALS")
        return v
    deals_in_file = None
    for s in file_doc["report"]["inputs"]:
        if s["file"].endswith("deals.csv"):
            deals_in_file = s["file"]
    a, b = normal(doc, [name]), normal(file_doc, [deals_in_file])
    if a != b:
        for key in a:
            if a[key] != b.get(key):
                print(f"  differs in '{key}': {json.dumps(a[key], ensure_ascii=False)[:600]}\n"
                      f"  vs {json.dumps(b.get(key), ensure_ascii=False)[:600]}")
    return a == b


def compare(label, doc, docs, code):
    check(doc.get("command") == "report --checks", f"{label}: command {doc.get('command')}")
    check(doc.get("exit_code") == code, f"{label}: exit_code {doc.get('exit_code')} != {code}")
    for key, cmd in (("report", "report"), ("tree", "tree"), ("checks", "check")):
        got, want = doc.get(key), docs[cmd]
        if got != want:
            fail(f"{label}: '{key}' differs from `{cmd} -c`:\n"
                 f"  got  {json.dumps(got, ensure_ascii=False)[:400]}\n"
                 f"  want {json.dumps(want, ensure_ascii=False)[:400]}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        ini = write_definition(tmp)
        docs = separate(ini, tmp)
        for threads in (["--threads", "1"], ["--threads", "4", "--min-chunk-bytes", "64"]):
            p, doc = combined([ini, *threads], tmp)
            check(p.returncode == 1, f"{threads}: exit {p.returncode}, want 1 (a check fails)")
            compare(f"file {threads}", doc, docs, 1)

        # One read: the deals source on standard input, then through a FIFO.
        deals = os.path.join(EXAMPLES, "deals.csv")
        with open(deals, "rb") as f:
            data = f.read()
        p, doc = combined([ini, "--source", "deals=-"], tmp, stdin=data)
        check(p.returncode == 1, f"stdin: exit {p.returncode}: {p.stderr.decode()}")
        # Everything but the deals source's name equals the file run's document.
        file_doc = combined([ini], tmp)[1]
        check(same_but_name(doc, file_doc, "<stdin>"),
              "stdin: the combined document differs from the file's (other than the name)")
        fifo = os.path.join(tmp, "deals.fifo")
        os.mkfifo(fifo)

        def writer():
            with open(fifo, "wb") as w:
                w.write(data)
        t = threading.Thread(target=writer)
        t.start()
        p, doc = combined([ini, "--source", "deals=" + fifo], tmp)
        t.join(timeout=60)
        check(p.returncode == 1, f"fifo: exit {p.returncode}: {p.stderr.decode()}")
        check(same_but_name(doc, file_doc, fifo),
              "fifo: the combined document differs from the file's (other than the name)")

        # The table holds the three parts; exit codes as check's.
        p = run(["report", "-c", ini, "--checks", "-q"], tmp)
        out = p.stdout.decode()
        check(p.returncode == 1, f"table: exit {p.returncode}")
        for part in ("Total", "KPI tree", "FAIL    required", "→ exit 1"):
            check(part in out, f"table: no '{part}' in the output")
        passing = write_definition(os.path.join(tmp), fail_limits=False)
        p = run(["report", "-c", passing, "--checks", "-q", "-f", "json"], tmp)
        check(p.returncode == 0, f"relaxed limits: exit {p.returncode}, want 0: "
              f"{p.stderr.decode()}")
        for args, what in (([deals, "--checks"], "--checks without -c"),
                           (["-c", ini, "--checks", "-f", "csv"], "-f csv"),
                           (["-c", os.path.join(EXAMPLES, "sales_efficiency", "kpi.ini"),
                             "--checks"], "no [check] sections")):
            p = run(["report", *args], tmp)
            check(p.returncode == 2 and p.stdout == b"" and b"--checks" in p.stderr,
                  f"{what}: exit {p.returncode}, stderr {p.stderr.decode()!r}")
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("report --checks: the same documents as report, tree and check; one read per source")


if __name__ == "__main__":
    main()
