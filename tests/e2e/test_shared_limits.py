"""Rate limits hold across server processes: production runs several (gunicorn workers, several
machines), and a limit kept per process would multiply the look-up quota by their number."""

import urllib.error
import urllib.request

import redis

from tests.e2e.conftest import REDIS_URL, free_port, serving


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_lookup_limit_is_shared_by_two_server_processes(server, tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()  # earlier look-ups from this address do not count
    port = free_port()
    with serving(server.env, port, tmp_path / "second.log"):
        urls = [server.url, f"http://127.0.0.1:{port}"]
        query = "/tra-cuu/?ma=000.00.30.H19-260101-0001&ma_tra_cuu=AAAAAAAA"
        answers = [_status(urls[i % 2] + query) for i in range(30)]  # 15 on each process
        assert answers == [404] * 30  # unknown dossier, answered — not yet limited
        assert _status(urls[0] + query) == 429 and _status(urls[1] + query) == 429
