"""Rule: submitted code runs as an unprivileged user, without capabilities and without a way to gain any."""
import os

from sandboxed import ATTEMPT, facts

PROBE = ATTEMPT + '''
import subprocess, _posixsubprocess
status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\\t" in line)
shell = subprocess.run(["/bin/sh", "-c", "id -u; cat /proc/self/status | grep CapEff"], capture_output=True, text=True)
print(json.dumps({
    "uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "groups": os.getgroups(),
    "caps": {k: int(status[k], 16) for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")},
    "no_new_privs": status["NoNewPrivs"].strip(),
    "setuid": attempt(lambda: os.setuid(0)), "chown": attempt(lambda: os.chown(".", 0, 0)),
    "chroot": attempt(lambda: os.chroot("/")), "mount": attempt(lambda: os.mkdir("/proc/x")),
    "shell": shell.stdout.split(),
}))
'''


def test_code_runs_as_an_unprivileged_uid_with_no_capabilities_and_no_new_privileges():
    seen = facts(PROBE)
    assert seen["uid"] != 0 and seen["euid"] != 0 and seen["gid"] != 0, seen
    assert 0 not in seen["groups"], seen
    assert seen["caps"] == dict.fromkeys(seen["caps"], 0), f"capabilities left: {seen['caps']}"
    assert seen["no_new_privs"] == "1", "setuid programs could raise the sandbox's privileges"
    assert seen["setuid"] == "EPERM" and seen["chown"] == "EPERM" and seen["chroot"] == "EPERM", seen
    assert seen["mount"] != "allowed", seen


def test_a_shell_started_from_the_sandbox_is_the_same_unprivileged_user():
    """The issue's `_posixsubprocess.fork_exec` of /bin/sh: it runs, and gains nothing."""
    seen = facts(PROBE)
    assert seen["shell"][0] == str(seen["uid"]) and seen["shell"][-1] == "0000000000000000", seen
    if os.geteuid() == 0:  # the grader is root: the sandbox's uid is one of its own, not the grader's
        assert seen["uid"] >= 60000
