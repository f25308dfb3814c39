"""Rule: processes and threads are limited: a fork bomb is contained (bounded here: it stops trying
after a few hundred forks), and every process of the sandbox dies with it."""
import dataclasses
import json
import os

from sandboxed import SMALL, cgroup_available, run, stdout

BOMB = '''
import json, os, signal, threading, time
release = threading.Event()
threads, thread_refused = [], 0
for attempt in range(300):  # bounded: a real bomb would loop forever, the limit stops it the same way
    try:
        t = threading.Thread(target=release.wait, daemon=True)
        t.start()
        threads.append(t)
    except RuntimeError:
        thread_refused += 1
release.set()
for t in threads:
    t.join()
children, refused = [], 0
for attempt in range(300):
    try:
        pid = os.fork()
    except OSError:
        refused += 1
        continue
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    children.append(pid)
print(json.dumps({"children": len(children), "refused": refused, "threads": len(threads),
                  "thread_refused": thread_refused, "uid": os.getuid()}))
for pid in children[:len(children) // 2]:  # the other half is left running: the sandbox's end kills it
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
'''


def _processes_of(uid):
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as f:
                if any(line.split()[1] == str(uid) for line in f if line.startswith("Uid:")):
                    out.append(int(pid))
        except OSError:
            pass
    return out


def test_a_fork_bomb_is_contained_and_leaves_no_process_behind():
    limits = dataclasses.replace(SMALL, processes=48)
    result = run(BOMB, "print('after the bomb')", limits=limits)
    seen = json.loads(stdout(result, 0).strip().splitlines()[-1])
    assert seen["children"] < limits.processes and seen["refused"] > 0, seen
    assert seen["threads"] < limits.processes and seen["thread_refused"] > 0, seen
    assert stdout(result, 1).strip() == "after the bomb"
    if cgroup_available():  # the kernel's count of denied forks, read outside the sandbox, names the bomb
        assert any(r.startswith("process limit reached: the kernel denied") for r in result.refused), result.refused
    if os.geteuid() == 0:  # the sandbox's uid is a host uid of its own: none of its processes is left
        assert _processes_of(seen["uid"]) == [], "processes of the sandbox survived it"
