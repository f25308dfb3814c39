"""`make test` runs the suite on every CPU (pytest-xdist, --dist loadgroup): the tests that share an expensive
fixture (SHARED in tests/conftest.py) must run on one worker, or each would compute it again, silently."""


def test_tests_sharing_an_expensive_fixture_are_grouped_on_one_worker(request):
    items = request.session.items
    grouped = [(item, item.get_closest_marker("xdist_group").args[0]) for item in items
               if item.get_closest_marker("xdist_group")]
    for item, group in grouped:
        assert group.split("-")[0] in item.fixturenames, f"{item.nodeid} is in group {group} but does not use its fixture"
    if getattr(request.config.option, "loadgroup", False):  # on an xdist worker under --dist loadgroup
        lost = [item.nodeid for item, _ in grouped if "@" not in item.nodeid]
        assert not lost, (f"pytest-xdist did not group {len(lost)} tests (e.g. {lost[0]}): this pytest and pytest-xdist "
                          "disagree on node ids (pytest-xdist #1386); keep the pins of requirements.txt")
