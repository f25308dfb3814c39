"""Rule: no network: a port the grader's machine listens on is unreachable, names do not resolve, and
abstract Unix sockets of the host are out of reach (the sandbox has a network namespace of its own)."""
import socket

from sandboxed import facts

PROBE = '''
import json, socket
def reach(family, address):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(address)
        return "connected"
    except OSError as err:
        return type(err).__name__
def resolve(name):
    try:
        return socket.getaddrinfo(name, 80)[0][4][0]
    except OSError as err:
        return type(err).__name__
print(json.dumps({{"tcp": reach(socket.AF_INET, ("127.0.0.1", {port})),
                   "unix": reach(socket.AF_UNIX, "\\0{abstract}"),
                   "dns": resolve("pypi.org"),
                   "interfaces": sorted(n for _, n in socket.if_nameindex())}}))
'''


def test_connections_to_the_hosts_ports_and_name_lookups_fail():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract.bind("\0autograder-sandbox-test")
    abstract.listen()
    try:
        seen = facts(PROBE.format(port=listener.getsockname()[1], abstract="autograder-sandbox-test"))
        listener.setblocking(False)
        try:
            listener.accept()
            accepted = True
        except BlockingIOError:
            accepted = False
    finally:
        listener.close()
        abstract.close()
    assert seen["tcp"] != "connected" and not accepted, seen
    assert seen["unix"] != "connected", seen
    assert seen["dns"] in ("gaierror",), seen
    assert seen["interfaces"] in ([], ["lo"]), seen
