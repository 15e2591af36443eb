#!/usr/bin/env python3
"""Every rule id cited by the code, the scenario notes and the docs (G2, A3e, P5, S1-S5,
EST, ...) is defined in docs/model.md, in bold; and nothing cites a rule reference outside
the repository. Prints each problem as file:line.

    rule_ids_check.py SOURCE_DIR
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1])
ID = r"[SGOFTAP][1-9][0-9]?[a-e]?"
# A citation: an id, or a range "S1-S5", standing alone (not inside a name such as kKeyF11).
CITATION = re.compile(rf"(?<![\w.]){ID}(?:-{ID})?(?![\w])")
DEFINITION = re.compile(rf"\*\*({ID})(?:, ({ID}))?\*\*|\*\*(EST)\*\*")
# A rule file outside the repository, or its reference list ([R9], (R5)).
# The outside document's name is spelled in two parts so that this check does not cite it.
OUTSIDE = re.compile("PYTHON" + r"_MODEL|[\[(]R[0-9]{1,2}[\])]")


def defined_ids():
    ids = set()
    for match in DEFINITION.finditer((ROOT / "docs" / "model.md").read_text()):
        ids.update(g for g in match.groups() if g)
    return ids


def expand(citation):
    """'S1-S5' -> S1..S5; 'A3e' -> A3e."""
    if "-" not in citation:
        return [citation]
    first, last = citation.split("-")
    if first[0] != last[0] or not first[1:].isdigit() or not last[1:].isdigit():
        return [first, last]
    return [f"{first[0]}{n}" for n in range(int(first[1:]), int(last[1:]) + 1)]


def cited_lines(path):
    """(line number, text) of the lines that may cite rules: comments in C++, prose
    outside code blocks in Markdown, the whole of a scenario file."""
    in_code_block = False
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        if path.suffix == ".md":
            if line.lstrip().startswith("```"):
                in_code_block = not in_code_block
                continue
            if not in_code_block:
                yield number, line
        elif path.suffix in (".cpp", ".hpp"):
            comment = line.find("//")
            if comment >= 0:
                yield number, line[comment:]
        else:
            yield number, line


def main():
    defined = defined_ids()
    files = [ROOT / "README.md"]
    for folder, patterns in (("docs", ["*.md"]), ("scenarios", ["*.toml"]),
                             ("sim", ["*.cpp", "*.hpp"]), ("viz", ["*.cpp", "*.hpp"]),
                             ("tests", ["*.cpp", "*.hpp"]), ("bench", ["*.cpp", "*.hpp"])):
        for pattern in patterns:
            files += sorted((ROOT / folder).rglob(pattern))
    problems = []
    cited = 0
    for path in files:
        relative = path.relative_to(ROOT)
        for number, text in cited_lines(path):
            if OUTSIDE.search(text):
                problems.append(f"{relative}:{number}: cites a rule reference outside the repository; "
                                "cite docs/model.md")
            for citation in CITATION.findall(text):
                for rule in expand(citation):
                    cited += 1
                    if rule not in defined:
                        problems.append(f"{relative}:{number}: rule {rule} is not defined in docs/model.md "
                                        f"(add a bullet starting with **{rule}**)")
    for problem in problems:
        print(problem)
    if cited == 0:
        print("no rule id found at all: the pattern is broken")
        return 1
    print(f"{cited} citations of {len(defined)} rules checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
