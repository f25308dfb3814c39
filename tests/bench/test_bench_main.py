"""python -m bench: running some benchmarks replaces their sections of RESULTS.md and keeps the others."""
import bench.__main__ as bench_main


def test_running_one_benchmark_keeps_the_sections_of_the_others(tmp_path, monkeypatch):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Measured figures\n\nheader\n\n## Alpha\n\nold alpha\n\n*(benchmark `alpha` took 5 s)*\n\n"
                       "## Beta\n\nold beta\n\n*(benchmark `beta` took 7 s; measured 2026-01-01 00:00 UTC)*\n")
    monkeypatch.setattr(bench_main, "RESULTS", results)
    monkeypatch.setattr(bench_main, "benchmarks", lambda: ["alpha", "beta"])

    class Beta:
        @staticmethod
        def run():
            return "## Beta\n\nnew beta"
    monkeypatch.setattr(bench_main.importlib, "import_module", lambda name: Beta)
    assert bench_main.main(["beta"]) == 0
    text = results.read_text()
    assert "old alpha" in text and "*(benchmark `alpha` took 5 s)*" in text
    assert "new beta" in text and "old beta" not in text
    assert text.index("## Alpha") < text.index("## Beta")


def test_an_unknown_benchmark_is_named(monkeypatch, capsys):
    monkeypatch.setattr(bench_main, "benchmarks", lambda: ["alpha"])
    assert bench_main.main(["gamma"]) == 2
    assert "unknown benchmark(s) gamma; choose from alpha" in capsys.readouterr().err
