"""``python -m bench [MODULE ...]``: run the benchmarks of bench/ and write bench/RESULTS.md.

Every module of this package with a ``run()`` function is a benchmark; its Markdown section goes
into RESULTS.md in module-name order (or only the modules named on the command line). A benchmark
that fails gets a section with its error, the others still run, and the exit status is 1.
"""
import importlib
import os
import pkgutil
import platform
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks():
    """Names of the modules of bench/ that expose run(), sorted."""
    names = []
    for info in pkgutil.iter_modules([str(HERE)]):
        if not info.name.startswith("_") and callable(getattr(importlib.import_module(f"bench.{info.name}"), "run", None)):
            names.append(info.name)
    return sorted(names)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    known = benchmarks()
    unknown = [n for n in argv if n not in known]
    if unknown:
        print(f"python -m bench: unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(known)}",
              file=sys.stderr)
        return 2
    sections, failed = [], []
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
        sections.append(section.rstrip() + f"\n\n*(benchmark `{name}` took {seconds:.0f} s)*")
    header = (f"# Measured figures\n\nWritten by `python -m bench` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC: "
              f"{os.cpu_count()} CPU(s), Python {platform.python_version()}, {platform.platform()}.\n")
    (HERE / "RESULTS.md").write_text(header + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    print(f"bench: wrote {HERE / 'RESULTS.md'}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
