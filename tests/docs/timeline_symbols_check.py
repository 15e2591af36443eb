#!/usr/bin/env python3
"""The symbol table of docs/cli.md's text timeline names every symbol the timeline draws, and
no other.

    timeline_symbols_check.py SOURCE_DIR

The symbols are read from sim/cli/text_timeline.cpp: state_symbol() (one `case
SpanState::X: return 'c';` per state) and the marks of several states or holders in one
column (`constexpr char kNameSymbol = 'c';`: `&`, `:`, `?`, and a brief run's `'`; not kMainHolderSymbol, a
holder's name like `1` for T1, which the prose explains). The table is the one under "### The
text timeline" whose header starts `| symbol |`. A symbol added to the timeline without a
line in the docs (or a line left for a symbol the timeline no longer draws) fails with both
lists.
"""
import re
import sys

SOURCE = sys.argv[1]
code = open(f"{SOURCE}/sim/cli/text_timeline.cpp", encoding="utf-8").read()
body = re.search(r"char state_symbol\(SpanState state\) \{(.*?)\n\}", code, re.S)
if body is None:
    sys.exit("sim/cli/text_timeline.cpp: no state_symbol(SpanState) to read the symbols from")
drawn = dict(re.findall(r"case SpanState::(\w+): return '(.)';", body.group(1)))
# Held is the state of a lock's or a GIL's own row, drawn as its holder's number, never '#'.
drawn.pop("Held", None)
# A mark written escaped (kBriefRunSymbol, the apostrophe) is its last character.
marks = {name: symbol[-1] for name, symbol in re.findall(r"constexpr char k(\w+)Symbol = '(\\?.)';", code)}
marks.pop("MainHolder", None)
if not marks:
    sys.exit("sim/cli/text_timeline.cpp: no `constexpr char k...Symbol` marks to read")
drawn.update(marks)

doc = open(f"{SOURCE}/docs/cli.md", encoding="utf-8").read()
section = doc.split("### The text timeline", 1)[-1].split("\n### ", 1)[0]
table = [line for line in section.splitlines() if line.startswith("|")]
if not table or not table[0].startswith("| symbol |"):
    sys.exit("docs/cli.md: no '| symbol |' table under '### The text timeline'")
documented = set()
for row in table[2:]:
    documented.update(re.findall(r"\| `(.)` \|", row + " "))

# The share one holder needs for its symbol where shorter turns pass (the `&` and `:` rule),
# quoted in the table and the prose.
share = re.search(r"constexpr std::int64_t kOneHolderSharePercent = (\d+);", code)
if share is None:
    sys.exit("sim/cli/text_timeline.cpp: no kOneHolderSharePercent to read")
quoted = set(re.findall(r"(\d+)%", section.split("Turns shorter than a slice", 1)[-1].split("\n\n", 1)[0]))
quoted |= set(re.findall(r"\| `:` \|[^|]*?(\d+)%", section))
stale_share = sorted(q for q in quoted if q != share.group(1))
for q in stale_share:
    print(f"docs/cli.md: the text timeline says {q}% where one holder's share is {share.group(1)}% (kOneHolderSharePercent)")
if not quoted:
    print("docs/cli.md: the text timeline's rule for turns shorter than a column quotes no share")

missing = {state: symbol for state, symbol in drawn.items() if symbol not in documented}
extra = documented - set(drawn.values())
for state, symbol in sorted(missing.items()):
    print(f"docs/cli.md: the text timeline draws `{symbol}` ({state}) but its symbol table has no line for it")
for symbol in sorted(extra):
    print(f"docs/cli.md: the symbol table lists `{symbol}`, which the text timeline no longer draws")
print(f"{len(drawn)} symbols and the {share.group(1)}% share checked, {len(missing) + len(extra) + len(stale_share)} wrong")
sys.exit(1 if missing or extra or stale_share or not quoted or not drawn else 0)
