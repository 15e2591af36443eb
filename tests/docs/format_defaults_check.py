#!/usr/bin/env python3
"""Every default duration docs/scenario-format.md gives in its tables is the one the program
uses.

    format_defaults_check.py SOURCE_DIR

A row `| `key` | duration | `"1200us"`...` says the key's default (`| `a`, `b` | duration |
`"3us"`, `"9us"` ...` gives two); the program's is the
`Time key = Time{NS};` of sim/scenario/scenario.hpp (switch_interval: kDefaultSwitchInterval).
A row whose key the code does not name, or whose value differs, fails with both values.
"""
import re
import sys

SOURCE = sys.argv[1]
UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000}

code = open(f"{SOURCE}/sim/scenario/scenario.hpp", encoding="utf-8").read()
in_code = {name: int(ns.replace("'", "")) for name, ns in re.findall(r"\bTime (\w+) = Time\{([\d']+)\};", code)}
interval = re.search(r"kDefaultSwitchInterval = Time\{([\d']+)\};", code)
if interval:
    in_code["switch_interval"] = int(interval.group(1).replace("'", ""))

doc = open(f"{SOURCE}/docs/scenario-format.md", encoding="utf-8").read()
rows = []
for keys, values in re.findall(r"^\| ((?:`\w+`(?:, )?)+) \| duration[^|]*\| ([^|]*)", doc, re.M):
    names = re.findall(r"`(\w+)`", keys)
    given = re.findall(r'`"(\d+(?:\.\d+)?)(ns|us|µs|ms|s)"`', values)
    if len(given) >= len(names):  # a row that gives no value ("required", a range) says no default
        rows += [(name, number, unit) for name, (number, unit) in zip(names, given)]
wrong = []
for key, number, unit in rows:
    documented = round(float(number) * UNITS[unit])
    if key not in in_code:
        wrong.append(f"docs/scenario-format.md: `{key}` has the default {number}{unit}, but "
                     f"sim/scenario/scenario.hpp has no `Time {key} = Time{{...}};`")
    elif in_code[key] != documented:
        wrong.append(f"docs/scenario-format.md: `{key}` has the default {number}{unit} ({documented} ns); "
                     f"the program uses {in_code[key]} ns (sim/scenario/scenario.hpp)")
for line in wrong:
    print(line)
print(f"{len(rows)} defaults checked, {len(wrong)} wrong")
sys.exit(1 if wrong or not rows else 0)
