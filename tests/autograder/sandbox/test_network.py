"""Rule: no network: a port the grader's machine listens on is unreachable, names do not resolve, and
abstract Unix sockets of the host are out of reach (the sandbox has a network namespace of its own);
every attempt is seen from outside, in the kernel's counters of that namespace."""
import socket

import pytest

from sandboxed import error, facts, run, stdout

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


ATTEMPTS = {
    "an address outside": "socket.create_connection(('140.82.112.3', 443), timeout=2)",
    "an IPv6 address outside": "socket.create_connection(('2001:db8::1', 443), timeout=2)",
    "a loopback port nothing listens on": "socket.create_connection(('127.0.0.1', 8888), timeout=2)",
    "a name lookup": "socket.getaddrinfo('pypi.org', 443)",
    "a datagram": "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', 9999))",
}


@pytest.mark.parametrize("how", ATTEMPTS)
def test_an_attempt_to_reach_the_network_is_counted_outside_even_when_the_notebook_hides_it(how):
    """The kernel's counters of the sandbox's network namespace, read by the grader (autograder.sandbox.network)."""
    hidden = f"import socket\ntry:\n    {ATTEMPTS[how]}\nexcept OSError:\n    pass"
    result = run(hidden)
    assert result.finished and error(result) is None, result.outputs
    assert any(r.startswith("tried to reach the network") for r in result.refused), result.refused


def test_a_server_and_a_client_of_the_notebook_s_own_on_loopback_are_not_an_attempt():
    result = run("import socket, threading\nserver = socket.create_server(('127.0.0.1', 0))\n"
                 "threading.Thread(target=lambda: server.accept()[0].sendall(b'hi'), daemon=True).start()\n"
                 "print(socket.create_connection(server.getsockname()).recv(2))")
    assert stdout(result).strip() == "b'hi'" and result.refused == [], (result.outputs, result.refused)
