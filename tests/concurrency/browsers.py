"""Plain HTTP clients for the concurrency tests: each keeps its own cookies, like one person's browser.

Not a test module: ``test_http_signups.py`` starts ``gongzhi serve`` and drives many of these at once.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.parse
from dataclasses import dataclass, field

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Answer:
    status: int
    location: str
    body: str
    sent: float  # time.monotonic() when the request left
    received: float  # and when the answer was read


@dataclass
class Browser:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({"csrf_token": self.token, **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        sent = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            received = time.monotonic()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            found = CSRF.search(text)
            if found:
                self.token = found.group(1)
            return Answer(response.status, response.getheader("location", ""), text, sent, received)
        finally:
            connection.close()

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str] | None = None) -> Answer:
        return self.request("POST", path, form or {})

    def log_in(self, username: str, password: str) -> None:
        """Log in as a person would (the form, then the next page), retrying a full hashing gate."""
        self.get("/accounts/login")
        for _ in range(50):
            answer = self.post("/accounts/login", {"username": username, "password": password})
            if answer.status != 503:
                break
            time.sleep(0.05)
        assert answer.status == 303, (username, answer.status, answer.body[:300])
