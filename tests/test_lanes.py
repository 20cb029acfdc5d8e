"""The test lanes (tests/lanes.py): registered, complete in `make test-fast`, and enforced."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

import lanes
from chat_support import REPO_ROOT

LANES = {"model", "server", "browser", "slow"}


def test_the_lanes_are_registered_and_make_test_fast_leaves_out_each_one(
        request: pytest.FixtureRequest) -> None:
    registered = {line.split(":", 1)[0].strip() for line in request.config.getini("markers")}
    assert LANES <= registered
    assert "--strict-markers" in request.config.getini("addopts")
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    fast = re.search(r"^FAST := (.+)$", makefile, re.M)
    assert fast is not None, "no FAST expression in the Makefile"
    assert set(fast.group(1).split(" and ")) == {f"not {lane}" for lane in LANES}
    assert '-m "$(FAST)"' in makefile.split("\ntest-fast:", 1)[1].split("\n\n", 1)[0]


def test_no_test_in_this_run_uses_a_lane_fixture_without_its_marker(
        request: pytest.FixtureRequest) -> None:
    # In `make test-fast` this says that no selected test can reach the built index or a server.
    missing = [(item.nodeid, lane) for item in request.session.items
               for fixture, lane in lanes.LANE_FIXTURES.items()
               if fixture in item.fixturenames and item.get_closest_marker(lane) is None]
    assert missing == []


def _item(*markers: str) -> SimpleNamespace:
    return SimpleNamespace(nodeid="tests/test_x.py::test_y",
                           get_closest_marker=lambda name: name if name in markers else None)


def test_starting_a_server_without_the_marker_fails_the_test() -> None:
    lanes.set_running(_item("model"))  # as conftest.py does before each test's setup
    try:
        with pytest.raises(pytest.fail.Exception) as caught:
            lanes.require("server", "starts `wegwijzer serve`")
        assert "test_y starts `wegwijzer serve`, but it is not marked `server`" in str(caught.value)
        lanes.require("model", "runs `wegwijzer index`")  # marked: nothing happens
    finally:
        lanes.set_running(None)
    lanes.require("server", "starts `wegwijzer serve`")  # outside a test (a benchmark): allowed
