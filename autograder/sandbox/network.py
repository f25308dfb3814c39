"""Network attempts seen from outside: the kernel's counters of the sandbox's network namespace.

The sandbox has a network namespace of its own holding only a loopback interface, so a connection out
fails by itself (no route) and one to a loopback port finds nothing listening. The kernel counts both in
the namespace's SNMP counters, which the grader opens from outside (``/proc/PID/net/snmp`` and
``snmp6`` of the sandbox's pid 1) before any submitted code runs (bwrap waits on ``--block-fd`` until
then) and reads after the run. An open counter file holds the namespace, so the counts survive the
sandbox's end. Code in the sandbox cannot lower them: it has no capability, and no interface resets them.

An attempt is any of:

- ``Ip: OutNoRoutes``, ``Ip6: Ip6OutNoRoutes``: a packet (a TCP connect, a datagram) to an address with no
  route, i.e. anywhere outside the sandbox;
- ``Tcp: AttemptFails``: a TCP connection that did not open (a loopback port nothing listens on, e.g. a
  Jupyter server or a database the submission hoped to find);
- ``Udp: NoPorts``, ``Udp6: Udp6NoPorts``: a datagram to a loopback port nothing listens on (a name lookup:
  the sandbox has no ``resolv.conf``, so the resolver asks 127.0.0.1:53).

Not counted: connections that open between the submission's own processes on loopback (a server and a
client of its own harm no one), and Unix sockets (the sandbox's abstract socket namespace is its own).
"""
import os
from dataclasses import dataclass

COUNTED = {  # (file, counter) -> what it means, in words
    ("snmp", "Ip:OutNoRoutes"): "connection(s) or datagram(s) to an IPv4 address outside the sandbox",
    ("snmp6", "Ip6OutNoRoutes"): "connection(s) or datagram(s) to an IPv6 address outside the sandbox",
    ("snmp", "Tcp:AttemptFails"): "TCP connection(s) to a loopback port nothing listens on",
    ("snmp", "Udp:NoPorts"): "datagram(s) (name lookups among them) to a loopback port nothing listens on",
    ("snmp6", "Udp6NoPorts"): "IPv6 datagram(s) to a loopback port nothing listens on",
}


def parse(name, text):
    """{counter: value} of one counter file: ``snmp`` pairs a header line with a value line per protocol
    ("Tcp: ... AttemptFails ..." then "Tcp: ... 3 ..."), ``snmp6`` has one "name value" per line."""
    lines = text.splitlines()
    if name == "snmp6":
        return {k: int(v) for k, v in (line.split() for line in lines if len(line.split()) == 2)}
    out = {}
    for header, values in zip(lines[::2], lines[1::2]):
        protocol, *names = header.split()
        out.update({protocol + n: int(v) for n, v in zip(names, values.split()[1:]) if v.lstrip("-").isdigit()})
    return out


@dataclass
class NetworkCounters:
    """The counter files of one sandbox's network namespace, opened from outside while it starts."""

    files: dict  # "snmp" / "snmp6" -> an open file descriptor
    start: dict  # (file, counter) -> its value when opened

    @classmethod
    def open(cls, pid):
        """Open the counters of process ``pid``'s network namespace; None when it is gone."""
        files = {}
        try:
            for name in ("snmp", "snmp6"):
                files[name] = os.open(f"/proc/{pid}/net/{name}", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            for fd in files.values():
                os.close(fd)
            return None
        counters = cls(files, {})
        counters.start = counters.read()
        return counters

    def read(self):
        values = {}
        for name, fd in self.files.items():
            os.lseek(fd, 0, os.SEEK_SET)
            text = b""
            while chunk := os.read(fd, 1 << 16):
                text += chunk
            counts = parse(name, text.decode())
            values.update({(name, k): counts.get(k, 0) for f, k in COUNTED if f == name})
        return values

    def attempts(self):
        """[(count, meaning)] of the attempts since the counters were opened."""
        now = self.read()
        return [(now[key] - self.start.get(key, 0), meaning) for key, meaning in COUNTED.items()
                if now.get(key, 0) > self.start.get(key, 0)]

    def refusals(self):
        """One sentence on the network attempts, or none; then the files are closed."""
        try:
            seen = self.attempts()
        finally:
            for fd in self.files.values():
                os.close(fd)
        if not seen:
            return []
        return ["tried to reach the network, which the sandbox does not have: the kernel counted "
                + "; ".join(f"{n} {meaning}" for n, meaning in seen)]
