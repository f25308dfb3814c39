"""Rule: the sandbox's interpreter starts without the site module (``-S``: the venv's .pth files are not run
in every sandbox), yet a notebook sees what site gives an ordinary one: the venv's packages, ``sys.prefix``
the venv, and the builtins ``help``, ``exit`` and ``copyright``."""
from autograder import sandbox
from sandboxed import facts

PROBE = '''
import json, sys, importlib.metadata
print(json.dumps({"prefix": sys.prefix, "no_site": sys.flags.no_site, "numpy": importlib.metadata.version("numpy"),
                  "builtins": [name for name in ("help", "exit", "quit", "copyright") if name in dir(__builtins__)
                               or name in globals()]}))
'''


def test_a_notebook_sees_the_venv_and_the_builtins_site_would_give():
    seen = facts(PROBE)
    assert seen["no_site"] == 1, seen
    assert seen["prefix"] == str(sandbox._venv(True)), seen
    assert seen["numpy"], seen
    assert set(seen["builtins"]) == {"help", "exit", "quit", "copyright"}, seen
