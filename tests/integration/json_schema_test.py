#!/usr/bin/env python3
"""Every JSON document crmkpi writes is valid JSON in valid UTF-8 and matches its schema.

    json_schema_test.py CRMKPI_BINARY

1. Runs every golden case (tests/golden/*/cmd) whose command writes JSON (on stdout or into a
   file of the work directory) and a list of commands over examples/, and validates each document
   against docs/schema/COMMAND.json (python3-jsonschema, Draft 2020-12). Every schema must have
   validated at least one document, so a renamed command or case cannot make this pass vacuously.
2. Checks that the schemas can fail: a valid document with a required key removed (at the top
   and inside an array item) or with a wrong type is rejected.
3. Runs every command on inputs whose file names are Shift_JIS bytes (a Windows name, not UTF-8):
   each document must decode as strict UTF-8, parse with Python's json, and carry the name with
   the invalid bytes replaced by U+FFFD exactly as bytes.decode("utf-8", "replace") does.

Needs python3-jsonschema (Debian 12: 4.10; newer 4.x work too); exits 77 (skipped) without it.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:  # pragma: no cover - CI installs python3-jsonschema
    print("SKIP: python3-jsonschema is not installed")
    sys.exit(77)

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCHEMA_DIR = os.path.join(ROOT, "docs", "schema")
GOLDEN = os.path.join(ROOT, "tests", "golden")
EXAMPLES = os.path.join(ROOT, "examples")
COMMANDS = ["report", "tree", "lint", "describe", "columns", "check", "dwell", "forecast", "roi",
            "views", "metrics"]

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def load_schemas():
    schemas = {}
    for path in sorted(glob.glob(os.path.join(SCHEMA_DIR, "*.json"))):
        with open(path, encoding="utf-8") as f:
            schemas[os.path.splitext(os.path.basename(path))[0]] = json.load(f)
    return schemas


def make_validators(schemas):
    """One validator per schema, resolving the cross-file $refs ("report.json#/$defs/kpi")."""
    cls = jsonschema.Draft202012Validator
    for s in schemas.values():
        cls.check_schema(s)
    try:  # jsonschema >= 4.18
        from referencing import Registry, Resource
        registry = Registry().with_resources(
            (s["$id"], Resource.from_contents(s)) for s in schemas.values())
        return {name: cls(s, registry=registry) for name, s in schemas.items()}
    except (ImportError, TypeError):  # jsonschema 4.10 (Debian 12): no registry=
        store = {s["$id"]: s for s in schemas.values()}
        return {name: cls(s, resolver=jsonschema.RefResolver.from_schema(s, store=store))
                for name, s in schemas.items()}


def schema_for(cmd):
    """The schema name of a command line: its subcommand (report -c shares report.json;
    report -c --checks writes full_report.json)."""
    m = re.search(r"crmkpi\s+(\w+)", cmd)
    if m and m.group(1) == "report" and "--checks" in cmd:
        return "full_report"
    return m.group(1) if m else None


def parse_strict(data, what):
    """bytes → document; a failure is reported and returns None."""
    docs = parse_all(data, what)
    return docs[0] if docs else None


def parse_all(data, what):
    """The JSON documents at the start of |data| (a cmd may run several commands: JSON ones,
    then perhaps a table); each must be strict UTF-8 and strict JSON."""
    text = data.decode("utf-8", "surrogateescape")
    decoder = json.JSONDecoder(strict=True)  # raw control characters in strings raise
    docs, at = [], 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text) or (docs and text[at] != "{"):
            return docs
        try:
            doc, end = decoder.raw_decode(text, at)
        except json.JSONDecodeError as e:
            fail(f"{what}: not valid JSON: {e}")
            return docs
        try:
            text[at:end].encode("utf-8")  # strict: an invalid byte (a lone surrogate here) raises
        except UnicodeEncodeError as e:
            fail(f"{what}: not valid UTF-8: {e}")
            return docs
        docs.append(doc)
        at = end


def validate(validators, name, doc, what, counts):
    if name not in validators:
        fail(f"{what}: no schema docs/schema/{name}.json")
        return
    errors = sorted(validators[name].iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors[:5]:
        fail(f"{what}: {name}.json: {'/'.join(map(str, e.absolute_path))}: {e.message}")
    if not errors:
        counts[name] = counts.get(name, 0) + 1


def run_shell(binary, cmd, cwd):
    env = dict(os.environ, CRMKPI=binary, LC_ALL="C.UTF-8", TZ="UTC")
    script = 'crmkpi() { "$CRMKPI" "$@"; }\n' + cmd + "\n"
    return subprocess.run(["sh", "-c", script], cwd=cwd, env=env, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def documents(proc, work, before):
    """(label, bytes) of each JSON document a run wrote: stdout, and new *.json files."""
    out = []
    if proc.stdout.lstrip().startswith(b"{"):
        out.append(("stdout", proc.stdout))
    for name in sorted(os.listdir(work)):
        if name not in before and name.endswith(".json"):
            with open(os.path.join(work, name), "rb") as f:
                out.append((name, f.read()))
    return out


def golden_cases(binary, validators, counts):
    for case in sorted(glob.glob(os.path.join(GOLDEN, "*"))):
        cmd_file = os.path.join(case, "cmd")
        if not os.path.isfile(cmd_file):
            continue
        with open(cmd_file, encoding="utf-8") as f:
            cmd = f.read().strip()
        if "json" not in cmd:
            continue
        name = schema_for(cmd)
        with tempfile.TemporaryDirectory(prefix="crmkpi-schema-") as work:
            sources = [case]
            from_file = os.path.join(case, "inputs_from")
            if os.path.exists(from_file):
                with open(from_file, encoding="utf-8") as f:
                    sources.append(os.path.join(ROOT, f.read().strip()))
            for src in sources:
                for entry in sorted(os.listdir(src)):
                    path = os.path.join(src, entry)
                    if entry not in ("expected", "cmd", "README.md", "inputs_from") and \
                            os.path.isfile(path):
                        shutil.copy2(path, os.path.join(work, entry))
            before = set(os.listdir(work))
            proc = run_shell(binary, cmd, work)
            for label, data in documents(proc, work, before):
                what = f"golden/{os.path.basename(case)} ({label})"
                for doc in parse_all(data, what):
                    validate(validators, name, doc, what, counts)


# Commands over examples/ (run in examples/): every command, including those without a JSON
# golden case.
EXAMPLE_COMMANDS = [
    "crmkpi report deals.csv --by owner --format json",
    "crmkpi report deals_cp932.csv --encoding cp932 --by owner --format json",
    "crmkpi columns deals.csv --format json",
    "crmkpi columns forecast/forecast.csv --format json",
    "crmkpi report -c sales_efficiency/kpi.ini --format json",
    "crmkpi tree -c sales_efficiency/kpi.ini --format json",
    "crmkpi metrics -c sales_efficiency/kpi.ini --format json",
    "crmkpi metrics -c adoption/kpi.ini --format json",
    "crmkpi metrics -c customer_experience/kpi.ini --format json",
    "crmkpi tree -c sales_efficiency/kpi.ini --set win_rate=35% --format json",
    "crmkpi lint -c sales_efficiency/kpi.ini --format json",
    "crmkpi lint -c customer_success/kpi.ini --format json",
    "crmkpi lint -c sales_efficiency/kpi.ini --data --format json",
    "crmkpi describe -c sales_efficiency/kpi.ini --format json",
    "crmkpi describe -c adoption/kpi.ini --format json",
    "crmkpi describe -c forecast/kpi.ini --format json",
    "crmkpi views -c sales_efficiency/kpi.ini --format json",
    "crmkpi report -c sales_efficiency/kpi.ini --view manager --format json",
    "crmkpi check -c quality/quality.ini --as-of 2026-11-01 --format json",
    "crmkpi dwell stage_history/history_long.csv --as-of 2025-03-31 --format json",
    "crmkpi forecast forecast/forecast.csv --actual forecast/deals.csv --by owner --format json",
    "crmkpi roi -c roi/roi.ini --format json",
    "crmkpi roi --cost 100 --gain 150 --format json",
]


def example_commands(binary, validators, counts):
    for cmd in EXAMPLE_COMMANDS:
        proc = run_shell(binary, cmd, EXAMPLES)
        what = f"examples: {cmd}"
        if proc.returncode not in (0, 1):
            fail(f"{what}: exit {proc.returncode}: {proc.stderr.decode('utf-8', 'replace')}")
            continue
        doc = parse_strict(proc.stdout, what)
        if doc is not None:
            validate(validators, schema_for(cmd), doc, what, counts)


def schemas_can_fail(validators):
    """A schema that accepts anything would make the checks above pass vacuously."""
    with open(os.path.join(GOLDEN, "report_by_owner_json", "expected", "stdout"), "rb") as f:
        report = json.loads(f.read())
    with open(os.path.join(GOLDEN, "check_flags_json", "expected", "stdout"), "rb") as f:
        check = json.loads(f.read())
    with open(os.path.join(GOLDEN, "describe_json", "expected", "stdout"), "rb") as f:
        describe = json.loads(f.read())
    if not validators["report"].is_valid(report) or not validators["check"].is_valid(check) \
            or not validators["describe"].is_valid(describe):
        fail("the golden report/check/describe documents should be valid")
        return
    mutations = [
        ("report", report, lambda d: d.pop("schema_version")),
        ("report", report, lambda d: d.pop("crmkpi_version")),
        ("report", report, lambda d: d.pop("kpis")),
        ("report", report, lambda d: d["kpis"][0].pop("unit")),
        ("report", report, lambda d: d["inputs"][0].pop("file")),
        ("report", report, lambda d: d["kpis"][0].update(value="12")),  # a string, not a number
        ("report", report, lambda d: d.update(schema_version=2)),
        ("check", check, lambda d: d.pop("summary")),
        ("check", check, lambda d: d["checks"][0].pop("status")),
        ("check", check, lambda d: d["checks"][0]["counts"].pop("rows")),
        ("describe", describe, lambda d: d.pop("kpis")),
        ("describe", describe, lambda d: d["kpis"][0].pop("sources")),
        ("describe", describe, lambda d: d["kpis"][0].update(deadline="2026/03/31")),
        ("describe", describe, lambda d: d["kpis"][0]["sources"][0].pop("columns")),
    ]
    # The long result: a row without n, a count as text, a value as a string.
    p = subprocess.run([os.path.abspath(sys.argv[1]), "metrics", "-c",
                        os.path.join(EXAMPLES, "sales_efficiency", "kpi.ini"), "-f", "json"],
                       cwd=os.path.join(EXAMPLES, "sales_efficiency"), capture_output=True)
    long_result = json.loads(p.stdout)
    if not validators["metrics"].is_valid(long_result):
        fail("the long result of sales_efficiency should be valid")
    mutations += [
        ("metrics", long_result, lambda d: d["rows"][0].pop("n")),
        ("metrics", long_result, lambda d: d["rows"][0].update(n="3")),
        ("metrics", long_result, lambda d: d["rows"][0].update(value="12")),
        ("metrics", long_result, lambda d: d["rows"][0].update(excluded={"missing_value": -1})),
        ("metrics", long_result, lambda d: d.pop("key_columns")),
    ]
    for name, original, mutate in mutations:
        doc = json.loads(json.dumps(original))
        mutate(doc)
        if validators[name].is_valid(doc):
            fail(f"{name}.json accepts a broken document ({mutate.__code__.co_consts})")


# Shift_JIS (cp932) bytes of 売上 ("sales"): 94 84 8F E3 — not UTF-8.
SJIS = "売上".encode("cp932")


def shift_jis_names(binary, validators, counts):
    """Every command on files (and an INI) whose names are Shift_JIS bytes."""
    with tempfile.TemporaryDirectory(prefix="crmkpi-sjis-") as tmp:
        work = os.fsencode(tmp)

        def place(src, suffix):
            name = SJIS + suffix
            shutil.copyfile(os.path.join(EXAMPLES, src), os.path.join(work, name))
            return name

        deals = place("deals.csv", b"_deals.csv")
        deals_cp932 = place("deals_cp932.csv", b"_cp932.csv")
        history = place(os.path.join("stage_history", "history_long.csv"), b"_history.csv")
        forecast = place(os.path.join("forecast", "forecast.csv"), b"_forecast.csv")
        actual = place(os.path.join("forecast", "deals.csv"), b"_actual.csv")
        contacts = place(os.path.join("quality", "contacts.csv"), b"_contacts.csv")
        before = place(os.path.join("roi", "deals_before.csv"), b"_before.csv")
        after = place(os.path.join("roi", "deals_after.csv"), b"_after.csv")
        for f in ("kpi.ini", "roi.ini"):
            shutil.copyfile(os.path.join(EXAMPLES, "roi", f), os.path.join(tmp, f))
        # An INI named in Shift_JIS, with a lint finding that names it.
        ini = place(os.path.join("sales_efficiency", "kpi.ini"), b"_kpi.ini")
        for f in ("leads.csv", "deals.csv", "activities.csv"):
            shutil.copyfile(os.path.join(EXAMPLES, "sales_efficiency", f),
                            os.path.join(tmp, "se_" + f))
        with open(os.path.join(EXAMPLES, "sales_efficiency", "kpi.ini"), "rb") as f:
            text = f.read()
        # The definition's sources read from the copies (file = leads.csv → se_leads.csv).
        text = re.sub(rb"(?m)^(file\s*=\s*)(\S+\.csv)", rb"\1se_\2", text)
        with open(os.path.join(work, ini), "wb") as f:
            f.write(text)

        def expect(name):
            return name.decode("utf-8", "replace")

        runs = [  # (schema, argv, {json path: expected text})
            ("report", [b"report", deals, b"--by", b"owner", b"-f", b"json"],
             {("inputs", 0, "file"): expect(deals)}),
            ("report", [b"report", deals_cp932, b"-f", b"json", b"--encoding", b"cp932"],
             {("inputs", 0, "file"): expect(deals_cp932)}),
            ("columns", [b"columns", deals, b"-f", b"json"], {("file",): expect(deals)}),
            ("check", [b"check", contacts, b"--require", b"email", b"-f", b"json"],
             {("sources", 0, "file"): expect(contacts)}),
            ("dwell", [b"dwell", history, b"--as-of", b"2025-03-31", b"-f", b"json"],
             {("inputs", 0, "file"): expect(history)}),
            ("forecast", [b"forecast", forecast, b"--actual", actual, b"-f", b"json"],
             {("inputs", 0, "file"): expect(forecast), ("inputs", 1, "file"): expect(actual)}),
            ("roi", [b"roi", b"-c", b"roi.ini", b"--before-source", b"deals=" + before,
                     b"--after-source", b"deals=" + after, b"-f", b"json"],
             {("inputs", 0, "file"): expect(before), ("inputs", 1, "file"): expect(after)}),
            ("lint", [b"lint", b"-c", ini, b"-f", b"json"],
             {("findings", 0, "file"): expect(ini)}),
            ("describe", [b"describe", b"-c", ini, b"-f", b"json"],
             {("definition",): expect(ini), ("kpis", 0, "file"): expect(ini)}),
            ("report", [b"report", b"-c", ini, b"-f", b"json"], {}),
            ("tree", [b"tree", b"-c", ini, b"-f", b"json"], {}),
            # A name given on --source is what the inputs list shows.
            ("report", [b"report", b"-c", b"kpi.ini", b"--source", b"deals=" + after, b"-f",
                        b"json"], {("inputs", 0, "file"): expect(after)}),
        ]
        env = dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC")
        for name, argv, want in runs:
            what = "Shift_JIS names: " + " ".join(a.decode("utf-8", "replace") for a in argv)
            proc = subprocess.run([os.fsencode(binary)] + argv, cwd=work, env=env,
                                  capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
            if proc.returncode not in (0, 1):
                fail(f"{what}: exit {proc.returncode}: {proc.stderr.decode('utf-8', 'replace')}")
                continue
            doc = parse_strict(proc.stdout, what)
            if doc is None:
                continue
            validate(validators, name, doc, what, counts)
            for path, text in want.items():
                node = doc
                try:
                    for key in path:
                        node = node[key]
                except (KeyError, IndexError, TypeError):
                    fail(f"{what}: no {path}")
                    continue
                if node != text:
                    fail(f"{what}: {path} is {node!r}, expected {text!r}")
            if "\ufffd" not in json.dumps(doc, ensure_ascii=False) and want:
                fail(f"{what}: the replaced name is missing")


def main():
    binary = os.path.abspath(sys.argv[1])
    schemas = load_schemas()
    missing = [c for c in COMMANDS if c not in schemas]
    if missing:
        fail(f"no schema for {missing}")
        return 1
    validators = make_validators(schemas)
    counts = {}
    golden_cases(binary, validators, counts)
    example_commands(binary, validators, counts)
    schemas_can_fail(validators)
    shift_jis_names(binary, validators, counts)
    for c in COMMANDS:
        if counts.get(c, 0) == 0:
            fail(f"no document validated against docs/schema/{c}.json")
    print("validated: " + ", ".join(f"{c} {counts.get(c, 0)}" for c in COMMANDS))
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
