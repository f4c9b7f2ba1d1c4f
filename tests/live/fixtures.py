"""Fixtures for the tests that run the real stack in child processes (live and browser)."""

import pytest

from tests.live.stack import LiveDatabase, LiveStack


@pytest.fixture
def live_database(tmp_path_factory):
    # One per test: a job left queued by one test must not take a worker in the next.
    tmp = tmp_path_factory.mktemp("livedb")
    database = LiveDatabase(tmp)
    stack = LiveStack(tmp, database)
    stack.manage("migrate", "--noinput")
    yield database
    database.drop()


@pytest.fixture
def live(tmp_path, live_database, request):
    stack = LiveStack(tmp_path, live_database)
    yield stack
    stack.stop_all()
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        print(stack.dump_logs())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
