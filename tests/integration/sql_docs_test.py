#!/usr/bin/env python3
"""docs/scale.md shows one metric's compiled SQL: it must be what crmkpi writes.

    sql_docs_test.py CRMKPI

The ```sql block of docs/scale.md ("How a definition becomes SQL") must occur verbatim in
`crmkpi sql -c examples/sales_efficiency/kpi.ini --dialect duckdb`, run from the repository's
root (as the docs say). A change of the compiler that changes that branch fails here until the
docs show the new text.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def main():
    exe = os.path.abspath(sys.argv[1])
    doc = open(os.path.join(ROOT, "docs", "scale.md"), encoding="utf-8").read()
    blocks = re.findall(r"```sql\n(.*?)```", doc, re.S)
    if len(blocks) != 1:
        print(f"FAIL: docs/scale.md has {len(blocks)} ```sql blocks, expected 1")
        return 1
    shown = blocks[0].rstrip("\n")
    out = subprocess.run([exe, "sql", "-c", "examples/sales_efficiency/kpi.ini", "--dialect",
                          "duckdb", "-q"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        print("FAIL: crmkpi sql exited", out.returncode, out.stderr)
        return 1
    if "won_amount" not in shown or shown not in out.stdout:
        print("FAIL: docs/scale.md's SQL of won_amount is not what crmkpi sql writes; its branch now:")
        body = out.stdout.split("SELECT * FROM (\n", 1)[-1]
        for branch in body.split("\nUNION ALL\n"):
            if "'won_amount'" in branch:
                print(branch)
        return 1
    print("sql_docs: docs/scale.md's SQL is crmkpi's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
