"""Helpers of sql_engines_test.py: what a definition's sources are (INI), how their CSV files
are encoded and delimited, splitting an SQL script into statements, a throw-away PostgreSQL
cluster, and the comparison of two long results (docs/scale.md "The long result").

Standard library only.
"""
import collections
import csv
import decimal
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile

# ---------------------------------------------------------------------------- the definition


def read_ini(path):
    """{(kind, id): {key: [values]}} of every section of a crmkpi INI (docs/ini.md "Syntax"):
    whole-line comments (; #), `key = value` trimmed, "…" unquoted, indented continuation lines
    joined by a newline, repeated keys kept in order (a source's several `file =`)."""
    sections = {}
    current = None
    last_key = None
    with open(path, encoding="utf-8-sig") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            stripped = line.strip()
            if not stripped or stripped[0] in ";#":
                continue
            if line[0] in " \t" and current is not None and last_key is not None:
                current[last_key][-1] += "\n" + stripped
                continue
            m = re.match(r"^\[\s*([^\]\s]+)(?:\s+([^\]]+?))?\s*\]", stripped)
            if m:
                current = sections.setdefault((m.group(1), m.group(2) or ""), {})
                last_key = None
                continue
            if current is None or "=" not in stripped:
                continue
            key, value = stripped.split("=", 1)
            key, value = key.strip(), value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            current.setdefault(key, []).append(value)
            last_key = key
    return sections


class Table:
    """A [source ID] or [lookup ID]: its files (absolute), encoding and delimiter settings."""

    def __init__(self, kind, ident, files, encoding, delimiter):
        self.kind, self.id, self.files = kind, ident, files
        self.encoding, self.delimiter = encoding, delimiter


def tables_of(ini_path):
    """The sources and lookups of a definition, in the INI's order."""
    base = os.path.dirname(os.path.abspath(ini_path))
    out = []
    for (kind, ident), keys in read_ini(ini_path).items():
        if kind not in ("source", "lookup") or not keys.get("file"):
            continue
        files = [os.path.normpath(os.path.join(base, f)) for f in keys["file"]]
        out.append(Table(kind, ident, files, keys.get("encoding", ["auto"])[-1],
                         keys.get("delimiter", ["auto"])[-1]))
    return out


def check_names(ini_path):
    """The [check NAME] sections of a definition."""
    return [ident for (kind, ident) in read_ini(ini_path) if kind == "check"]


def metric_types(ini_path):
    """{metric id: type} (`count` when the section has no type)."""
    return {ident: keys.get("type", ["count"])[-1]
            for (kind, ident), keys in read_ini(ini_path).items() if kind == "metric"}


# ---------------------------------------------------------------------------- CSV files

# crmkpi's encoding names → PostgreSQL's COPY ENCODING (files PostgreSQL converts itself).
PG_ENCODINGS = {
    "utf-8": "UTF8", "utf8": "UTF8",
    "cp932": "SJIS", "shift_jis": "SJIS", "shift-jis": "SJIS", "sjis": "SJIS",
    "windows-31j": "SJIS", "ms932": "SJIS", "windows-932": "SJIS",
    "euc-jp": "EUC_JP", "eucjp": "EUC_JP",
    "windows-1252": "WIN1252", "cp1252": "WIN1252",
    "latin1": "LATIN1", "iso-8859-1": "LATIN1",
}
DELIMITERS = {"auto": None, "\\t": "\t", "tab": "\t", "'\\t'": "\t"}


def detect_encoding(data, setting="auto"):
    """The Python codec of a file's bytes: the setting's, else by BOM, else utf-8 when the bytes
    decode as it, else cp932."""
    if setting.lower() != "auto":
        return setting.lower()
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp932"


def detect_delimiter(header_line, setting="auto"):
    """The setting's delimiter, else the one of , ; tab | that splits the header line (read
    quote-aware) into the most fields; ',' on a tie."""
    d = DELIMITERS.get(setting.lower(), setting) if setting else None
    if d:
        return d
    best, fields = ",", 0
    for c in (",", ";", "\t", "|"):
        n = len(next(csv.reader([header_line], delimiter=c), []))
        if n > fields:
            best, fields = c, n
    return best


def read_header(path, encoding_setting, delimiter_setting):
    """(codec, delimiter, header names) of a CSV file."""
    with open(path, "rb") as f:
        data = f.read()
    codec = detect_encoding(data, encoding_setting)
    text = data.decode(codec, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    first = text.split("\n", 1)[0].rstrip("\r")
    delim = detect_delimiter(first, delimiter_setting)
    header = next(csv.reader(io.StringIO(text), delimiter=delim), [])
    return codec, delim, header


def pg_encoding(codec):
    """PostgreSQL's name for a codec COPY can read, or None (the file is converted first)."""
    return "UTF8" if codec == "utf-8-sig" else PG_ENCODINGS.get(codec)


# ---------------------------------------------------------------------------- SQL scripts


def split_statements(script, backslash=False):
    """The statements of a script (as tests/sql/split.mjs): each ends with `;` at a line end
    outside '…', "…", `…` and comments; blank ones dropped; without the `;`."""
    out, start, i, n = [], 0, 0, len(script)

    def push(end):
        text = script[start:end]
        bare = re.sub(r"/\*.*?\*/", "", re.sub(r"--[^\n]*", "", text), flags=re.S)
        if bare.strip():
            out.append(text.strip())

    while i < n:
        c = script[i]
        if c in "'\"`":
            i += 1
            while i < n:
                if script[i] == c:
                    if script[i + 1:i + 2] == c:
                        i += 2
                        continue
                    break
                i += 2 if backslash and c == "'" and script[i] == "\\" else 1
            i += 1
        elif script.startswith("--", i):
            j = script.find("\n", i)
            i = n if j < 0 else j
        elif script.startswith("/*", i):
            j = script.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == ";" and re.match(r"[ \t\r]*(--[^\n]*)?(\n|$)", script[i + 1:]):
            push(i)
            i += 1
            start = i
        else:
            i += 1
    push(n)
    return out


def quote_ident(name):
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text):
    return "'" + text.replace("'", "''") + "'"


# ---------------------------------------------------------------------------- PostgreSQL


def find_pg_bin():
    """The newest /usr/lib/postgresql/N/bin with initdb, or None."""
    root = "/usr/lib/postgresql"
    if not os.path.isdir(root):
        return None
    versions = sorted((d for d in os.listdir(root) if d.isdigit()), key=int, reverse=True)
    for v in versions:
        b = os.path.join(root, v, "bin")
        if os.path.exists(os.path.join(b, "initdb")) and os.path.exists(os.path.join(b, "psql")):
            return b
    return None


class PgCluster:
    """A throw-away cluster: initdb into a temporary directory, the server listening only on a
    Unix socket in it (listen_addresses = ''), stopped and the directory removed by stop() —
    call it in a finally. As root the server runs as the `postgres` user (runuser): PostgreSQL
    refuses to run as root."""

    def __init__(self, bindir):
        self.bindir = bindir
        self.dir = None
        self.started = False
        self.user = None

    def _as_server(self, argv):
        if self.user:
            return ["runuser", "-u", self.user, "--"] + argv
        return argv

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="crmkpi-pg-")
        if os.geteuid() == 0:
            self.user = "postgres"
            import pwd
            pw = pwd.getpwnam(self.user)  # KeyError: no such user
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.data = os.path.join(self.dir, "data")
        self.socket_dir = self.dir
        env = dict(os.environ, LC_ALL="C", TZ="UTC")
        p = subprocess.run(self._as_server([
            os.path.join(self.bindir, "initdb"), "-D", self.data, "-U", "postgres",
            "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]),
            capture_output=True, env=env, cwd=self.dir, timeout=120)
        if p.returncode != 0:
            raise RuntimeError("initdb failed: " + p.stderr.decode(errors="replace")[-800:])
        opts = (f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}' "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=20 -c shared_buffers=32MB -c TimeZone=UTC")
        log = os.path.join(self.dir, "server.log")
        p = subprocess.run(self._as_server([
            os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-l", log, "-o", opts, "-w",
            "-t", "60", "start"]), capture_output=True, env=env, cwd=self.dir, timeout=120,
            stdin=subprocess.DEVNULL)
        self.started = True  # pg_ctl may have started it even when it reports a failure
        if p.returncode != 0:
            tail = ""
            if os.path.exists(log):
                with open(log, errors="replace") as f:
                    tail = f.read()[-800:]
            raise RuntimeError("pg_ctl start failed: " + p.stderr.decode(errors="replace")
                               + tail)

    def psql(self, argv, input_bytes=None, timeout=120):
        return subprocess.run(
            [os.path.join(self.bindir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
             "-h", self.socket_dir, "-U", "postgres", "-d", "postgres"] + argv,
            input=input_bytes, capture_output=True, timeout=timeout,
            stdin=None if input_bytes is not None else subprocess.DEVNULL,
            env=dict(os.environ, LC_ALL="C.UTF-8", PGTZ="UTC"))

    def stop(self):
        if self.dir is None:
            return
        try:
            if self.started:
                # Ignore ^C while stopping, so that an interrupted run still stops its server.
                old = signal.signal(signal.SIGINT, signal.SIG_IGN)
                try:
                    subprocess.run(self._as_server([
                        os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "immediate",
                        "-w", "stop"]), capture_output=True, timeout=120,
                        stdin=subprocess.DEVNULL)
                finally:
                    signal.signal(signal.SIGINT, old)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def pg_load_script(schema, tables, work):
    """The psql script that makes `schema` and one table of TEXT columns per source/lookup
    (named exactly as the first file's header; a later file's other names are added), loading
    every file with \\copy (FORMAT csv, HEADER, its DELIMITER and ENCODING). A file PostgreSQL
    cannot convert (UTF-16, …) is converted to UTF-8 into `work` first. Returns the script."""
    lines = [f"CREATE SCHEMA {quote_ident(schema)};"]
    for t in tables:
        name = f"{quote_ident(schema)}.{quote_ident(t.id)}"
        columns = []
        loads = []
        for i, path in enumerate(t.files):
            codec, delim, header = read_header(path, t.encoding, t.delimiter)
            lower = {c.lower(): c for c in columns}
            file_cols = []
            for h in header:
                if h in columns:
                    file_cols.append(h)
                elif h.lower() in lower:  # another file's spelling of the same column
                    file_cols.append(lower[h.lower()])
                else:
                    columns.append(h)
                    lower[h.lower()] = h
                    file_cols.append(h)
            enc = pg_encoding(codec)
            if enc is None:
                with open(path, "rb") as f:
                    text = f.read().decode(codec)
                path = os.path.join(work, f"{schema}.{t.id}.{i}.csv")
                with open(path, "w", encoding="utf-8", newline="") as f:
                    f.write(text.lstrip("\ufeff"))
                enc = "UTF8"
            loads.append((path, file_cols, delim, enc))
        lines.append(f"CREATE TABLE {name} (" +
                     ", ".join(f"{quote_ident(c)} TEXT" for c in columns) + ");")
        for path, cols, delim, enc in loads:
            d = "E'\\t'" if delim == "\t" else quote_literal(delim)
            # \copy is one line: psql reads the file itself (no server file permissions).
            lines.append(f"\\copy {name} ({', '.join(quote_ident(c) for c in cols)}) FROM "
                         f"{quote_literal(path)} WITH (FORMAT csv, HEADER true, DELIMITER {d}, "
                         f"ENCODING '{enc}')")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- comparison

EXACT_TYPES = {"count", "count_distinct", "sum", "min", "max"}
NUMBER_COLUMNS = ("value", "numerator", "denominator")
INT_COLUMNS = ("n", "censored")
TEXT_COLUMNS = ("reason", "currency", "period_start", "period_end")
PLAIN = re.compile(r"^-?\d+(\.\d+)?$")


def read_long(text):
    """(header, rows) of a long result's CSV text."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [], []
    return rows[0], rows[1:]


def key_columns(header):
    """metric, group_by, every key column (the group keys and period): what names a row."""
    end = header.index("period_start") if "period_start" in header else len(header)
    return list(range(0, end))


def numbers_equal(a, b, exact):
    """Two numbers' texts: equal as exact decimals (trailing zeros aside); when not, and not
    both exact values of a count/sum/min/max (plain, ≤ 4 decimals), equal within a relative
    1e-12 (absolute when one is 0)."""
    if a == b:
        return True
    if a == "" or b == "":
        return False
    try:
        x, y = decimal.Decimal(a), decimal.Decimal(b)
    except decimal.InvalidOperation:
        return False
    if not (x.is_finite() and y.is_finite()):
        return False
    if x == y:
        return True
    short = all(PLAIN.match(s) and len((s.split(".") + [""])[1]) <= 4 for s in (a, b))
    if exact and short:
        return False
    fx, fy = float(x), float(y)
    scale = max(abs(fx), abs(fy))
    if fx == 0 or fy == 0:
        return abs(fx - fy) <= 1e-12
    return abs(fx - fy) <= 1e-12 * scale


def ints_equal(a, b):
    if a == b:
        return True
    try:
        return int(a) == int(b)
    except ValueError:
        return False


def excluded_equal(a, b):
    def bag(s):
        return collections.Counter(p.strip() for p in s.split(";") if p.strip())
    return bag(a) == bag(b)


def compare_long(native_text, engine_text, types, limit=20):
    """The differences of an engine's long result from the native one, as lines (empty: the
    same). `types`: {metric: type} for the exact comparison of counts and sums."""
    nh, nrows = read_long(native_text)
    eh, erows = read_long(engine_text)
    # A check's counts (@check:NAME rows) are compared through `check --metrics`, not here.
    erows = [r for r in erows if not (r and r[0].startswith("@check:"))]
    if nh != eh:
        return [f"header differs:\n    native {','.join(nh)}\n    engine {','.join(eh)}"]
    keys = key_columns(nh)
    col = {name: i for i, name in enumerate(nh)}
    diffs = []

    def index(rows, what):
        out = {}
        for r in rows:
            if len(r) != len(nh):
                diffs.append(f"{what}: a row of {len(r)} fields, not {len(nh)}: {r}")
                continue
            k = tuple(r[i] for i in keys)
            if k in out:
                diffs.append(f"{what}: row {k} twice")
            out[k] = r
        return out

    nat, eng = index(nrows, "native"), index(erows, "engine")
    for k in nat:
        if k not in eng:
            diffs.append(f"missing in engine: {','.join(nat[k])}")
    for k in eng:
        if k not in nat:
            diffs.append(f"only in engine:    {','.join(eng[k])}")
    for k, r in nat.items():
        e = eng.get(k)
        if e is None:
            continue
        exact = types.get(r[0]) in EXACT_TYPES
        bad = []
        for name, i in col.items():
            if i in keys:
                continue
            a, b = r[i], e[i]
            if name in NUMBER_COLUMNS:
                ok = numbers_equal(a, b, exact)
            elif name in INT_COLUMNS:
                ok = ints_equal(a, b)
            elif name == "excluded":
                ok = excluded_equal(a, b)
            else:
                ok = a == b
            if not ok:
                bad.append(f"{name}: native {a!r} engine {b!r}")
        if bad:
            diffs.append(f"row {','.join(k)}: " + "; ".join(bad))
    if len(diffs) > limit:
        diffs = diffs[:limit] + [f"… and {len(diffs) - limit} more"]
    return diffs
