#!/usr/bin/env python3
"""Every option the programs' --help lists is documented, and every option the docs' option
tables list is one the program takes.

    options_check.py SOURCE_DIR GILSIM GILVIZ

For gilsim, each subcommand's `--help` is read, and the options are looked for in the part of
docs/cli.md about that subcommand: the section whose heading starts "## `gilsim NAME" (for
`run`, also "## Measured runs"), its tables and its text; an option of the top level
(`gilsim --help`) anywhere in docs/cli.md. For gilviz, `gilviz --help` against the options
table of docs/viewer.md (the table whose header starts `| option |`). The other way round, an
option in the first column of an options table that the program's help does not list fails
(a table row documents an option of that command; a sentence may name another's).
"""
import re
import subprocess
import sys

SOURCE, GILSIM, GILVIZ = sys.argv[1:4]
OPTION = re.compile(r"--[a-z][a-z0-9-]*")


def help_options(*command):
    out = subprocess.run(list(command) + ["--help"], capture_output=True, text=True, check=True).stdout
    options = set()
    for line in out.splitlines():
        names = re.match(r"\s+((?:-[a-zA-Z],)?--[a-z][a-z0-9-]*)", line)
        if names:
            options.update(OPTION.findall(names.group(1)))
    options.discard("--help")
    return options


def sections(doc):
    """Level-2 sections of a Markdown page: heading -> text (code blocks included)."""
    parts = re.split(r"^## ", doc, flags=re.M)
    return {part.splitlines()[0]: part for part in parts[1:]}


def table_options(text):
    """Options in the first column of the tables whose header starts `| option |`."""
    found, in_table = set(), False
    for line in text.splitlines():
        if line.startswith("| option |"):
            in_table = True
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        if in_table:
            first = line.split("|")[1]
            found.update(OPTION.findall(first))
    return found


wrong = []
checked = 0
cli = open(f"{SOURCE}/docs/cli.md", encoding="utf-8").read()
cli_sections = sections(cli)
for command in ("run", "sweep", "python", "list"):
    text = "".join(body for heading, body in cli_sections.items()
                   if heading.startswith(f"`gilsim {command}") or (command == "run" and heading.startswith("Measured runs")))
    if not text:
        wrong.append(f"docs/cli.md: no section '## `gilsim {command} ...`'")
        continue
    options = help_options(GILSIM, command)
    checked += len(options)
    for option in sorted(options - set(OPTION.findall(text))):
        wrong.append(f"docs/cli.md: `gilsim {command} --help` lists {option}, which its section never names")
    for option in sorted(table_options(text) - options):
        wrong.append(f"docs/cli.md: the `gilsim {command}` options table lists {option}, which `gilsim {command} --help` does not")
top = help_options(GILSIM)
checked += len(top)
for option in sorted(top - set(OPTION.findall(cli))):
    wrong.append(f"docs/cli.md: `gilsim --help` lists {option}, which the page never names")

viewer = open(f"{SOURCE}/docs/viewer.md", encoding="utf-8").read()
documented = table_options(viewer)
options = help_options(GILVIZ)
checked += len(options)
for option in sorted(options - documented):
    wrong.append(f"docs/viewer.md: `gilviz --help` lists {option}, which the options table does not")
for option in sorted(documented - options):
    wrong.append(f"docs/viewer.md: the options table lists {option}, which `gilviz --help` does not")

for line in wrong:
    print(line)
print(f"{checked} options checked, {len(wrong)} wrong")
sys.exit(1 if wrong or not checked else 0)
