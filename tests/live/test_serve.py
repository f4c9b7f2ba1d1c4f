"""`manage.py serve` with several web processes on one port."""

import psutil
import pytest

pytestmark = [pytest.mark.live, pytest.mark.timeout(180)]


def _web_processes(serve_pid: int) -> list[psutil.Process]:
    children = psutil.Process(serve_pid).children()
    return [p for p in children if p.cmdline()[1:3] == ["manage.py", "web"]]


def test_web_processes_share_the_port_and_stop_with_serve(live):
    live.env["WEB_PROCESSES"] = "2"
    live.start_serve()
    serve = live.procs["serve"]
    webs = _web_processes(serve.pid)
    assert len(webs) == 2
    assert all("--fd" in p.cmdline() for p in webs)

    # Both listen on the one port (the socket serve opened and handed down).
    for web in webs:
        listening = [c for c in web.net_connections("tcp") if c.status == psutil.CONN_LISTEN]
        assert [c.laddr.port for c in listening] == [live.port]
    client = live.register("serve@example.com")
    response = client.post(
        "/api/v1/jobs",
        json={"kind": "demo", "prompt": "Two web processes.", "options": {"cards": 1}},
    )
    assert response.status_code == 202, response.text
    live.follow(client, response.json()["id"])

    live.stop("serve")
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in webs)
