#!/usr/bin/env python3
"""crmkpi installs like a tool: `cmake --install`, and a .deb from CPack that installs and runs.

    python3 tests/integration/package_test.py SOURCE_DIR BUILD_DIR

1. `cmake --install BUILD_DIR --prefix TMP` puts the binary, the man page, the bash and zsh
   completions, the examples and the docs in place; the installed binary runs the README's
   first report on the installed examples; the man page renders without warnings (`man -l`);
   the installed bash completion completes a command, an option and a --format value; the zsh
   one parses (`zsh -n`, when zsh is there).
2. `cpack -G DEB` makes crmkpi_VERSION_ARCH.deb: its control fields, its files, and every
   shared library the binary needs (ldd) belongs to a package its Depends names — so on a fresh
   Debian 12 `apt install ./crmkpi_….deb` brings everything it needs.
3. As root (and not in the set-up script's nested copy of the suite, and when no crmkpi package
   is installed already): `dpkg -i` the .deb, run /usr/bin/crmkpi on
   /usr/share/doc/crmkpi/examples, find the man page with `man -w`, complete with the installed
   completion, then `dpkg -r` it and check it is gone. Elsewhere this step says it is skipped.

Standard library only; exit 0 when all passed, 1 otherwise, 77 when cpack or dpkg-deb is absent.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL", what)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def bash_complete(script, words, env=None):
    """COMPREPLY of the completion function for |words| (the last one being completed)."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    code = (f"source '{script}'; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; "
            "_crmkpi; printf '%s\\n' \"${COMPREPLY[@]}\"")
    return run(["bash", "-c", code], env=env).stdout.split()


def check_installed(prefix, binary):
    doc = prefix / "share/doc/crmkpi"
    for rel in ["share/man/man1/crmkpi.1", "share/bash-completion/completions/crmkpi",
                "share/zsh/vendor-completions/_crmkpi", "share/doc/crmkpi/README.md",
                "share/doc/crmkpi/LICENSE", "share/doc/crmkpi/examples/deals.csv",
                "share/doc/crmkpi/examples/yojitsu/kpi.ini", "share/doc/crmkpi/docs/cli.md"]:
        check((prefix / rel).is_file(), f"installed: {rel} missing under {prefix}")
    r = run([str(binary), "report", str(doc / "examples/deals.csv"), "--by", "owner"])
    check(r.returncode == 0 and "win rate" in r.stdout,
          f"{binary} report …/examples/deals.csv: exit {r.returncode} {r.stderr[-300:]}")
    man = prefix / "share/man/man1/crmkpi.1"
    if shutil.which("man") and man.is_file():
        r = run(["man", "--warnings", "-l", str(man)], env=dict(os.environ, MANWIDTH="80"))
        check(r.returncode == 0 and "crmkpi report" in r.stdout and "EXIT STATUS" in r.stdout,
              f"man -l {man}: exit {r.returncode}")
        check(r.stderr.strip() == "", f"man -l {man} warns: {r.stderr[:300]}")
        check("examples/deals.csv --by owner" in r.stdout, "man page lacks the examples")
    bash = prefix / "share/bash-completion/completions/crmkpi"
    if bash.is_file():
        check("report" in bash_complete(bash, ["crmkpi", "rep"]), "bash: 'crmkpi rep' ↛ report")
        check("--max-missing" in bash_complete(bash, ["crmkpi", "check", "--max-m"]),
              "bash: 'crmkpi check --max-m' ↛ --max-missing")
        fmts = bash_complete(bash, ["crmkpi", "report", "-f", ""])
        check({"table", "csv", "json", "md"} <= set(fmts), f"bash: report -f ↛ formats ({fmts})")
        periods = bash_complete(bash, ["crmkpi", "tree", "--period", "q"])
        check(periods == ["quarter"], f"bash: tree --period q ↛ quarter ({periods})")
    zsh = prefix / "share/zsh/vendor-completions/_crmkpi"
    if shutil.which("zsh") and zsh.is_file():
        r = run(["zsh", "-n", str(zsh)])
        check(r.returncode == 0, f"zsh -n {zsh}: {r.stderr[:300]}")
        text = zsh.read_text()
        check(text.startswith("#compdef crmkpi") and "--max-missing[" in text,
              "zsh completion lacks #compdef or check's options")


def package(build, out_dir):
    r = run(["cpack", "-G", "DEB", "--config", str(build / "CPackConfig.cmake"), "-B",
             str(out_dir)])
    check(r.returncode == 0, f"cpack -G DEB: exit {r.returncode}: {r.stdout[-500:]}{r.stderr[-500:]}")
    debs = sorted(out_dir.glob("crmkpi_*.deb"))
    check(len(debs) == 1, f"cpack made {debs}")
    return debs[0] if debs else None


def check_deb(deb, binary):
    fields = {}
    for key in ["Package", "Version", "Architecture", "Depends", "Section", "Maintainer",
                "Description"]:
        fields[key] = run(["dpkg-deb", "-f", str(deb), key]).stdout.strip()
        check(fields[key] != "", f"{deb.name}: no {key} field")
    check(fields["Package"] == "crmkpi", f"Package: {fields['Package']}")
    files = run(["dpkg-deb", "-c", str(deb)]).stdout
    for path in ["./usr/bin/crmkpi", "./usr/share/man/man1/crmkpi.1",
                 "./usr/share/bash-completion/completions/crmkpi",
                 "./usr/share/zsh/vendor-completions/_crmkpi",
                 "./usr/share/doc/crmkpi/examples/deals.csv"]:
        check(path in files, f"{deb.name} lacks {path}")
    depends = {d.strip().split()[0] for d in fields["Depends"].split(",") if d.strip()}
    # Each shared library the binary needs itself (NEEDED; theirs come with their packages)
    # must come from a package the .deb depends on.
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]",
                            run(["readelf", "-d", str(binary)]).stdout))
    check(len(needed) >= 5, f"readelf -d {binary}: NEEDED {needed}")
    for line in run(["ldd", str(binary)]).stdout.splitlines():
        m = re.search(r"^\s*(\S+) => (\S+)", line)
        if not m or m.group(1) not in needed:
            continue
        m = re.search(r"=> (\S+)", line)
        lib = os.path.realpath(m.group(1))
        owner = run(["dpkg", "-S", lib]).stdout.split(":")[0].strip()
        if not owner:
            owner = run(["dpkg", "-S", lib.replace("/usr/lib/", "/lib/", 1)]).stdout
            owner = owner.split(":")[0].strip()
        check(owner != "", f"{lib}: no Debian package owns it")
        if owner and not owner.endswith("-dev"):
            check(owner in depends, f"{lib} ({owner}) is not in Depends: {fields['Depends']}")


def install_deb(deb):
    if os.geteuid() != 0:
        print("skipped: dpkg -i (not root)")
        return
    if os.environ.get("CRMKPI_SETUP_SELFTEST"):
        print("skipped: dpkg -i (inside the set-up script's copy; the outer run installs it)")
        return
    if run(["dpkg-query", "-W", "-f=${Status}", "crmkpi"]).stdout.startswith("install ok"):
        print("skipped: dpkg -i (a crmkpi package is installed already)")
        return
    try:
        r = run(["dpkg", "-i", str(deb)])
        check(r.returncode == 0, f"dpkg -i {deb.name}: {r.stdout[-500:]}{r.stderr[-500:]}")
        if r.returncode != 0:
            return
        r = run(["/usr/bin/crmkpi", "report", "/usr/share/doc/crmkpi/examples/deals.csv",
                 "--by", "owner"])
        check(r.returncode == 0 and "win rate" in r.stdout,
              f"installed /usr/bin/crmkpi: exit {r.returncode} {r.stderr[-300:]}")
        r = run(["/usr/bin/crmkpi", "check", "-c",
                 "/usr/share/doc/crmkpi/examples/quality/quality.ini"], cwd="/tmp")
        check(r.returncode == 1, f"installed crmkpi check: exit {r.returncode}, want 1")
        if shutil.which("man"):
            r = run(["man", "-w", "crmkpi"])
            check(r.returncode == 0 and "crmkpi.1" in r.stdout, f"man -w crmkpi: {r.stdout}")
        comp = pathlib.Path("/usr/share/bash-completion/completions/crmkpi")
        check("report" in bash_complete(comp, ["crmkpi", "rep"]), "installed bash completion")
    finally:
        r = run(["dpkg", "-r", "crmkpi"])
        check(r.returncode == 0, f"dpkg -r crmkpi: {r.stderr[-300:]}")
        check(not pathlib.Path("/usr/bin/crmkpi").exists(), "dpkg -r left /usr/bin/crmkpi")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    build = pathlib.Path(sys.argv[2]).resolve()
    if not shutil.which("cpack") or not shutil.which("dpkg-deb"):
        print("skipped: cpack or dpkg-deb not found")
        return 77
    with tempfile.TemporaryDirectory(prefix="crmkpi-package-") as tmp:
        tmp = pathlib.Path(tmp)
        prefix = tmp / "prefix"
        r = run(["cmake", "--install", str(build), "--prefix", str(prefix)])
        check(r.returncode == 0, f"cmake --install: {r.stderr[-500:]}")
        check_installed(prefix, prefix / "bin/crmkpi")
        deb = package(build, tmp / "deb")
        if deb is not None:
            check_deb(deb, build / "crmkpi")
            install_deb(deb)
    print(f"{len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
