"""Rule: disk use is limited: the home folder and /tmp are size-limited tmpfs, and one file is limited."""
import dataclasses

from sandboxed import SMALL, facts

FILL = '''
import json, os
def fill(path, mb):
    written = 0
    try:
        with open(path, "wb") as f:
            for _ in range(mb):
                f.write(b"\\0" * (1 << 20))
                written += 1
            f.flush()
        return [written, None]
    except OSError as err:
        return [written, err.strerror]
    finally:
        if os.path.exists(path):
            os.remove(path)
print(json.dumps({"home": fill(os.path.expanduser("~/big"), 200), "tmp": fill("/tmp/big", 200),
                  "shm": fill("/dev/shm/big", 200)}))
'''


def test_writing_past_the_disk_limits_fails_with_an_error():
    limits = dataclasses.replace(SMALL, disk_mb=32, file_mb=100)
    seen = facts(FILL, limits=limits)
    assert seen["home"][1] is not None and seen["home"][0] <= limits.disk_mb, seen
    assert seen["tmp"][1] is not None and seen["tmp"][0] <= 100, seen
    assert seen["shm"][1] is not None and seen["shm"][0] <= 100, seen
