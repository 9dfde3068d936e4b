#!/usr/bin/env python3
"""Writes the crmkpi(1) man page from the binary's own --help, so the page cannot fall behind.

    python3 docs/man/make_man.py path/to/crmkpi > crmkpi.1

Run by the build (CMakeLists.txt) and installed by `cmake --install` and the .deb. The help's
shape is crmkpi's own (src/cli/help_format.cc): a description, "Usage:", groups of options
("Input:", "Output:", …; a description column at 30), "Examples (…):", "Exit codes (frozen):".
Standard library only.
"""

import re
import subprocess
import sys


def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.M)


def help_of(binary, *args):
    return subprocess.run([binary, *args, "--help"], check=True, capture_output=True,
                          text=True).stdout


def sections(text):
    """[(title, [lines])] of a help text: the part before the first title is ('', lines)."""
    out = [("", [])]
    for line in text.split("\n"):
        m = re.match(r"^([A-Z][^:]*):$", line) or re.match(r"^(Usage):(.*)$", line)
        if m:
            rest = m.group(2).strip() if m.lastindex and m.lastindex > 1 else ""
            out.append((m.group(1), [rest] if rest else []))
        else:
            out[-1][1].append(line)
    return out


def options(lines):
    """[(left, description)] of an option group's lines."""
    out = []
    for line in lines:
        if not line.strip():
            continue
        if line.startswith("  ") and not line.startswith(" " * 30):
            left, _, desc = line[2:].partition("  ")
            out.append([left.strip(), desc.strip()])
        elif out:
            out[-1][1] = (out[-1][1] + " " + line.strip()).strip()
    return out


def command_page(name, text, out):
    parts = sections(text)
    desc = " ".join(l.strip() for l in parts[0][1] if l.strip())
    out.append(f'.SS "crmkpi {name}"')
    out.append(roff(desc))
    for title, lines in parts[1:]:
        if title == "Usage":
            out.append(".PP\n.B Usage:")
            out.append(roff(" ".join(l.strip() for l in lines if l.strip())))
        elif title.startswith("Examples"):
            out.append(".PP\n.B Examples:\n.nf")
            out.extend(roff(l.strip()) if not l.startswith("    ") else roff("    " + l.strip())
                       for l in lines if l.strip())
            out.append(".fi")
        elif title.startswith("Exit codes") or title.startswith("Documentation"):
            continue
        else:
            out.append(f".PP\n.I {roff(title)}")
            for left, d in options(lines):
                out.append(f".TP\n.B {roff(left)}\n{roff(d)}")


def main():
    binary = sys.argv[1]
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.split()[-1]
    top = help_of(binary)
    commands = re.findall(r"^  ([a-z]+) ", top.split("Subcommands:")[1].split("\n\n")[0], re.M)
    out = [
        f'.TH CRMKPI 1 "" "crmkpi {version}" "User Commands"',
        ".SH NAME",
        "crmkpi \\- KPIs, KPI trees and data-quality gates from CRM export CSVs",
        ".SH SYNOPSIS",
        ".B crmkpi\n.I COMMAND\n[\\fIOPTIONS\\fR] [\\fIFILE\\fR...]",
        ".SH DESCRIPTION",
        roff("crmkpi reads CRM exports (Salesforce, HubSpot, Zoho, Dynamics, Mazrica, kintone; "
             "UTF-8 or CP932, any delimiter) in one streaming pass and prints deal KPIs, the KPI "
             "tree of an INI definition with targets and gap attribution, data-quality gates, "
             "stage dwell, forecast error and ROI, as a table, CSV, JSON or Markdown. Every "
             "ratio carries its numerator and denominator."),
        ".SH COMMANDS",
    ]
    for name in commands:
        command_page(name, help_of(binary, name), out)
    out += [
        ".SH EXIT STATUS",
        ".TP\n.B 0\nok (data warnings allowed)",
        ".TP\n.B 1\na data check failed",
        ".TP\n.B 2\nusage or configuration error",
        ".TP\n.B 3\ninput unreadable or malformed",
        ".SH ENVIRONMENT",
        ".TP\n.B NO_COLOR\nwhen set and not empty, no colour on the terminal",
        ".TP\n.B COLUMNS\nthe terminal width tables fit, when standard output is a terminal",
        ".SH FILES",
        roff("The examples (exports, definitions) are installed in "
             "/usr/share/doc/crmkpi/examples; the documentation (cli.md, kpis.md, ini.md, "
             "quality.md) in /usr/share/doc/crmkpi/docs."),
        ".SH SEE ALSO",
        roff("docs/cli.md (every option and output format), docs/ini.md (the KPI definition), "
             "docs/kpis.md (every KPI's definition), docs/quality.md (the checks)."),
    ]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
