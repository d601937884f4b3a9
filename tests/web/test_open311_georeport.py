"""Open311 as a city app meets it: a real ``gongzhi serve`` on a database of its own, a key from
``gongzhi apikey``, reports filed by a small client of our own (urllib, form-encoded and multipart, as
the standard says), and everything read back by the PyPI client ``georeport`` (which cannot file).

The client's output is printed (``pytest -s``) and kept in ``var/open311-georeport.txt``: the issue's
closing note quotes it.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image

from tests.browser.conftest import free_port

BIN = Path(sys.executable).parent
OUTPUT = Path(__file__).parents[2] / "var" / "open311-georeport.txt"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A served demo site and one key; yields (the endpoint's URL, the key). The demo brings cases in
    every state, the 12345 hotline's reports among them (one dispatched, with its due date)."""
    var = tmp_path_factory.mktemp("open311-var")
    env = {k: v for k, v in os.environ.items() if k != "GONGZHI_DATABASE_URL"} | {
        "GONGZHI_VAR_DIR": str(var),
        "GONGZHI_LOG_LEVEL": "WARNING",
        "GONGZHI_WORKER": "0",
        "GONGZHI_ARGON2_TIME_COST": "1",
        "GONGZHI_ARGON2_MEMORY_KIB": "1024",
        "GONGZHI_ARGON2_PARALLELISM": "1",
    }
    subprocess.run([BIN / "gongzhi", "demo"], env=env, check=True, capture_output=True)
    issued = subprocess.run(
        [BIN / "gongzhi", "apikey", "城管通 App"], env=env, check=True, capture_output=True, text=True
    )
    key = issued.stdout.strip()
    port = free_port()
    process = subprocess.Popen(
        [BIN / "gongzhi", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.1)
    yield f"{base}/open311/v2", key
    process.terminate()
    process.wait(timeout=20)


def post(url: str, fields: dict[str, str], *, media: bytes | None = None, headers: dict | None = None):
    """POST as a city app: form-encoded, or multipart when a photo goes along. Returns (status, body)."""
    if media is None:
        body = urllib.parse.urlencode(fields).encode()
        content_type = "application/x-www-form-urlencoded; charset=utf-8"
    else:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="media"; filename="well.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode()
            + media
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        content_type = f"multipart/form-data; boundary={boundary}"
    request = urllib.request.Request(
        url, body, {"Content-Type": content_type, **(headers or {})}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def summary(request) -> str:
    keys = ("service_request_id", "status", "status_notes", "service_code", "agency_responsible")
    return ", ".join(f"{k}={request[k]}" for k in (*keys, "expected_datetime"))


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "gray").save(out, "JPEG")
    return out.getvalue()


def test_a_city_app_files_reports_and_georeport_reads_them(site, monkeypatch, capsys):
    # requests (under georeport) reads proxies from the environment: loopback goes direct
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    from georeport import GeoReport

    endpoint, key = site
    report = {
        "api_key": key,
        "service_code": "component-0103",
        "lat": "39.9087",
        "long": "116.3975",
        "address_string": "柳岸小区3号楼东侧",
        "description": "雨水井盖松动，踩上去会晃",
        "media_url": "http://10.0.0.8/internal/only.jpg",
    }
    status, body = post(f"{endpoint}/requests.json", report, headers={"Idempotency-Key": "app-0001"})
    assert status == 201, body
    first = json.loads(body)[0]["service_request_id"]
    status, body = post(f"{endpoint}/requests.json", report, headers={"Idempotency-Key": "app-0001"})
    assert status == 200 and json.loads(body)[0]["service_request_id"] == first  # a retry: the same case
    status, body = post(
        f"{endpoint}/requests.xml",
        {
            "api_key": key,
            "service_code": "event-0502",
            "address_string": "银河路口",
            "description": "早高峰占道经营",
        },
        media=jpeg(),
    )
    assert status == 201, body
    second = ElementTree.fromstring(body).findtext("request/service_request_id")
    status, body = post(f"{endpoint}/requests.json", report | {"api_key": "gz311_wrong"})
    assert status == 403 and json.loads(body)[0]["code"] == "403"

    lines = []
    for fmt in ("json", "xml"):
        client = GeoReport(endpoint, output_format=fmt)
        services = client.get_service_list()
        lines.append(f"[{fmt}] get_service_list(): {len(services)} services; first: {dict(services[0])}")
        definition = client.get_service_definition("component-0103")
        lines.append(f"[{fmt}] get_service_definition('component-0103'): {dict(definition)}")
        found = client.get_service_requests(status="open")
        found = found if isinstance(found, list) else [found]  # xmltodict gives one request as a dict
        lines.append(f"[{fmt}] get_service_requests(status='open'): {len(found)} requests")
        lines += [f"    {summary(r)}" for r in found]
        one = client.get_service_request(first)
        lines.append(f"[{fmt}] get_service_request({first!r}): {dict(one)}")
        ids = {r["service_request_id"] for r in found}
        assert {first, second} <= ids and one["status"] == "open"
        assert one["media_url"] == "http://10.0.0.8/internal/only.jpg"
        assert {s["service_code"] for s in services} >= {"component-0103", "event-0502"}
        dispatched = [r for r in found if r["agency_responsible"] == "城管执法中队"]
        assert dispatched and all(r["expected_datetime"].endswith("+08:00") for r in dispatched)
        closed = client.get_service_requests(status="closed")
        closed = closed if isinstance(closed, list) else [closed]
        lines.append(f"[{fmt}] get_service_requests(status='closed'): {len(closed)} requests")
        lines += [f"    {summary(r)}" for r in closed]
        assert closed and all(r["status"] == "closed" for r in closed)
    text = "\n".join(lines)
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(text + "\n", encoding="utf-8")
    with capsys.disabled():
        print("\n--- georeport 0.3.1 against gongzhi serve ---\n" + text)
