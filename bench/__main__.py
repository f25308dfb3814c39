"""``python -m bench [MODULE ...]``: run the benchmarks of bench/ and write bench/RESULTS.md.

Every module of this package with a ``run()`` function is a benchmark; its Markdown section goes
into RESULTS.md in module-name order. Naming modules on the command line runs only those and
replaces only their sections; the sections of the others are kept as they were. A benchmark that
fails gets a section with its error, the others still run, and the exit status is 1.
"""
import importlib
import os
import pkgutil
import platform
import re
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
TRAILER = "*(benchmark `{name}` took {seconds:.0f} s; measured {when:%Y-%m-%d %H:%M} UTC)*"


def benchmarks():
    """Names of the modules of bench/ that expose run(), sorted."""
    names = []
    for info in pkgutil.iter_modules([str(HERE)]):
        if not info.name.startswith("_") and callable(getattr(importlib.import_module(f"bench.{info.name}"), "run", None)):
            names.append(info.name)
    return sorted(names)


def previous_sections(text):
    """{benchmark name: its section} of an earlier RESULTS.md; each section ends with its trailer line."""
    body = text.split("\n## ", 1)[1] if "\n## " in text else ""
    sections = {}
    for chunk in re.split(r"\n(?=## )", "## " + body) if body else []:
        found = re.search(r"\*\(benchmark `(\w+)` took \d+ s[;)]", chunk)
        if found:
            sections[found.group(1)] = chunk.strip()
    return sections


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    known = benchmarks()
    unknown = [n for n in argv if n not in known]
    if unknown:
        print(f"python -m bench: unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(known)}",
              file=sys.stderr)
        return 2
    sections = previous_sections(RESULTS.read_text(encoding="utf-8")) if argv and RESULTS.exists() else {}
    failed = []
    for name in argv or known:
        print(f"bench: running {name} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            section = importlib.import_module(f"bench.{name}").run()
        except Exception:
            failed.append(name)
            section = f"## {name}\n\nFailed:\n\n```\n{traceback.format_exc()}```"
        seconds = time.perf_counter() - start
        print(f"bench: {name} took {seconds:.0f} s", file=sys.stderr, flush=True)
        sections[name] = section.rstrip() + "\n\n" + TRAILER.format(name=name, seconds=seconds,
                                                                       when=datetime.now(timezone.utc))
    header = (f"# Measured figures\n\nWritten by `python -m bench` on {os.cpu_count()} CPU(s), Python "
              f"{platform.python_version()}, {platform.platform()}; each section ends with when it was measured.\n")
    kept = [sections[name] for name in known if name in sections]
    RESULTS.write_text(header + "\n" + "\n\n".join(kept) + "\n", encoding="utf-8")
    print(f"bench: wrote {RESULTS}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
