"""A stand-in for the city's own Open311 GeoReport v2 system, on loopback, for the connector's tests.

It misbehaves on purpose, by a plan of faults taken one per incoming POST:
- ``fail``: answers 503 before recording anything;
- ``hang``: holds the request past the client's timeout, then drops it unrecorded;
- ``twice``: records the request and lists it twice in its answer;
- ``lost``: records the request, then closes the connection without answering (the one fault that
  makes a repeat unavoidable: the city has the case, we never heard its id);
- ``ok`` (or the plan running out): records it and answers.

Like a city system that dedupes, it knows a repeat by our case number (``attribute[gongzhi_case]``):
a repeat gets the id it got the first time and is counted as a duplicate. ``GET requests.json``
answers the statuses the test sets, each listed twice when ``repeat_reports`` is on.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CASE_FIELD = "attribute[gongzhi_case]"


class CityState:
    def __init__(self, faults: list[str] | None = None, hang_seconds: float = 3.0, api_key: str = "city-key"):
        self.lock = threading.Lock()
        self.faults = list(faults or [])
        self.hang_seconds = hang_seconds
        self.api_key = api_key
        self.posts = 0  # every POST that reached us
        self.arrivals: Counter[str] = Counter()  # case number -> POSTs recorded for it
        self.ids: dict[str, str] = {}  # case number -> our id for it
        self.reports: dict[str, dict[str, Any]] = {}  # our id -> what GET requests.json says
        self.repeat_reports = False
        self.received = threading.Event()  # set at each POST (the kill test waits for one in flight)
        self.faults_seen: Counter[str] = Counter()
        self.bad_keys = 0

    def next_fault(self) -> str:
        with self.lock:
            self.posts += 1
            return self.faults.pop(0) if self.faults else "ok"

    def record(self, number: str) -> str:
        with self.lock:
            self.arrivals[number] += 1
            if number not in self.ids:
                self.ids[number] = f"SZ{len(self.ids) + 1:05d}"
                self.reports[self.ids[number]] = {"status": "open", "status_notes": "", "updated": "1"}
            return self.ids[number]

    @property
    def duplicates(self) -> int:
        """POSTs of a case number the city had already recorded."""
        return sum(count - 1 for count in self.arrivals.values())

    def report(self, external_id: str, status: str, notes: str, updated: str) -> None:
        with self.lock:
            self.reports[external_id] = {"status": status, "status_notes": notes, "updated": updated}


def _handler(state: CityState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            fields = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            fault = state.next_fault()
            state.faults_seen[fault] += 1
            state.received.set()
            if fields.get("api_key") != state.api_key:
                state.bad_keys += 1
                return self._answer(403, [{"code": 403, "description": "bad api_key"}])
            if fault == "fail":
                return self._answer(503, [{"code": 503, "description": "maintenance"}])
            if fault == "hang":
                time.sleep(state.hang_seconds)
                self.close_connection = True
                return None
            external_id = state.record(fields.get(CASE_FIELD, ""))
            if fault == "lost":
                self.close_connection = True
                return None
            entry = {"service_request_id": external_id, "service_notice": "", "account_id": None}
            return self._answer(201, [entry, entry] if fault == "twice" else [entry])

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if not path.endswith("/requests.json"):
                return self._answer(404, [{"code": 404, "description": "not found"}])
            wanted = urllib.parse.parse_qs(query).get("service_request_id", [""])[0].split(",")
            with state.lock:
                found = [
                    {
                        "service_request_id": i,
                        "status": state.reports[i]["status"],
                        "status_notes": state.reports[i]["status_notes"],
                        "agency_responsible": "市城管局",
                        "updated_datetime": state.reports[i]["updated"],
                    }
                    for i in wanted
                    if i in state.reports
                ]
            return self._answer(200, found + found if state.repeat_reports else found)

    return Handler


@contextmanager
def city_server(state: CityState, port: int = 0) -> Iterator[str]:
    """Serve ``state`` on loopback (a free port, or ``port``: the city back where it was down);
    yields the GeoReport v2 base URL."""
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/open311/v2"
    finally:
        server.shutdown()
        server.server_close()
