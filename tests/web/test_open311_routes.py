"""``/open311/v2/`` over HTTP, as a city app sees it: JSON and XML, every filter, the standard's errors
(never an HTML page), keys issued and revoked, the CSRF exemption, a mediation's case out of sight."""

from __future__ import annotations

import io
import re
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from PIL import Image
from sqlalchemy import func, select
from starlette.testclient import TestClient

from core import site_settings
from grid import apikeys, cases, open311
from grid.models import Case, CaseSource
from tests.conftest import log_in, post_form
from tests.factories import PASSWORD
from tests.grid.conftest import class_id, report, walk
from tests.web.test_cli import env  # noqa: F401 - the CLI's own database
from web import features
from web.cli import main
from web.routing import options_of

V2 = "/open311/v2"


@pytest.fixture
def key(session, cast) -> str:
    _, secret = apikeys.issue_key(session, cast.admin, "城管通 App")
    session.flush()
    return secret


def filing(key: str, **fields) -> dict[str, str]:
    return {
        "api_key": key,
        "service_code": "component-0103",
        "lat": "33.98",
        "long": "118.26",
        "address_string": "柳岸小区3号楼东侧",
        "description": "雨水井盖松动，踩上去会晃",
    } | fields


def xml(response) -> ElementTree.Element:
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


def assert_error(response, status: int, fmt: str = "json") -> list[str]:
    """The standard's error list with ``status``, in ``fmt``, and never an HTML page."""
    assert response.status_code == status, response.text
    assert "<html" not in response.text.lower()
    if fmt == "xml":
        root = xml(response)
        assert root.tag == "errors"
        found = [(e.findtext("code"), e.findtext("description")) for e in root.findall("error")]
    else:
        assert response.headers["content-type"] == "application/json; charset=utf-8"
        found = [(e["code"], e["description"]) for e in response.json()]
    assert found and all(code == str(status) and description for code, description in found)
    return [description for _, description in found]


def count_cases(session) -> int:
    return session.scalar(select(func.count()).select_from(Case))


# --- discovery and services ------------------------------------------------------------------------


def test_discovery_names_this_endpoint_in_both_formats(client):
    body = client.get(f"{V2}/discovery.json").json()
    [endpoint] = body["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = xml(client.get(f"{V2}/discovery.xml"))
    assert root.tag == "discovery" and root.findtext("endpoints/endpoint/formats/format") == "text/xml"
    assert "gongzhi apikey" in body["key_service"] and "/admin/open311" in body["key_service"]
    assert client.get(f"{V2}/discovery.json").headers["Access-Control-Allow-Origin"] == "*"


def test_services_list_the_taxonomy_with_codes_as_strings(client):
    services = client.get(f"{V2}/services.json").json()
    drain = next(s for s in services if s["service_code"] == "component-0103")
    assert drain["service_name"] == "雨水井盖" and drain["group"] == "公用设施"
    assert drain["metadata"] is False and drain["type"] == "realtime" and "72" in drain["description"]
    assert all(isinstance(s["service_code"], str) for s in services)
    root = xml(client.get(f"{V2}/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == len(services)
    assert root.find("service/metadata").text == "false"


def test_a_service_definition_and_an_unknown_one(client):
    assert client.get(f"{V2}/services/event-0502.json").json() == {
        "service_code": "event-0502",
        "attributes": [],
    }
    root = xml(client.get(f"{V2}/services/event-0502.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "event-0502"
    assert_error(client.get(f"{V2}/services/component-9999.json"), 404)
    assert_error(client.get(f"{V2}/services/nonsense.xml"), 404, "xml")


# --- filing (POST) ---------------------------------------------------------------------------------


def test_a_city_app_files_a_request_without_any_csrf_token(client, session, key):
    response = client.post(f"{V2}/requests.json", data=filing(key))
    assert response.status_code == 201, response.text
    [created] = response.json()
    case = session.get(Case, int(created["service_request_id"]))
    assert case.source is CaseSource.open311 and case.cell_id is None and case.state.value == "reported"
    assert case.number in created["service_notice"] and created["account_id"] is None
    again = client.post(f"{V2}/requests.json", data=filing(key))
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == created["service_request_id"]


def test_filing_answers_xml_and_an_idempotency_key_is_its_token(client, key):
    headers = {"Idempotency-Key": "app-2026-7"}
    root = xml(client.post(f"{V2}/requests.xml", data=filing(key), headers=headers))
    assert root.tag == "service_requests"
    case_id = root.findtext("request/service_request_id")
    retried = client.post(f"{V2}/requests.xml", data=filing(key, description="重发"), headers=headers)
    assert retried.status_code == 200 and xml(retried).findtext("request/service_request_id") == case_id
    assert client.get(f"{V2}/tokens/app-2026-7.json").json() == [
        {"service_request_id": case_id, "token": "app-2026-7"}
    ]
    assert xml(client.get(f"{V2}/tokens/app-2026-7.xml")).findtext("request/token") == "app-2026-7"
    assert_error(client.get(f"{V2}/tokens/nobody.json"), 404)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_no_key_an_unknown_key_or_a_revoked_key_is_403_and_files_nothing(client, session, cast, key, fmt):
    before = count_cases(session)
    assert_error(client.post(f"{V2}/requests.{fmt}", data=filing("")), 403, fmt)
    assert_error(client.post(f"{V2}/requests.{fmt}", data=filing("gz311_guess")), 403, fmt)
    apikeys.revoke_key(session, cast.admin, apikeys.find_active_key(session, key).id)
    session.flush()
    assert_error(client.post(f"{V2}/requests.{fmt}", data=filing(key)), 403, fmt)
    assert count_cases(session) == before


def test_a_signed_in_browser_without_a_key_files_nothing(client, cast):
    log_in(client, "admin", PASSWORD)
    assert_error(client.post(f"{V2}/requests.json", data=filing("")), 403)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_input_is_400_with_every_problem_and_changes_nothing(client, session, key, fmt):
    before = count_cases(session)
    response = client.post(
        f"{V2}/requests.{fmt}", data=filing(key, lat="north", description="长" * 4001, media_url="ftp://x")
    )
    described = assert_error(response, 400, fmt)
    assert {d.split(":")[0] for d in described} == {"lat", "description", "media_url"}
    assert_error(client.post(f"{V2}/requests.{fmt}", data=filing(key, service_code="")), 400, fmt)
    assert_error(client.post(f"{V2}/requests.{fmt}", data=filing(key, service_code="event-9999")), 404, fmt)
    assert count_cases(session) == before


def test_a_media_file_travels_as_multipart(client, session, key, settings):
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), "blue").save(buffer, "PNG")
    response = client.post(
        f"{V2}/requests.json",
        data=filing(key),
        files={"media": ("well.png", buffer.getvalue(), "image/png")},
    )
    assert response.status_code == 201, response.text
    case_id = int(response.json()[0]["service_request_id"])
    photos = cases.step_photos(session, cases.history(session, case_id))
    [photo] = [p for found in photos.values() for p in found]
    assert photo.content_type == "image/png"
    [listed] = client.get(f"{V2}/requests/{case_id}.json").json()
    assert listed["media_url"] == f"http://testserver/files/{photo.id}"
    assert client.get(listed["media_url"]).headers["content-type"] == "image/png"
    refused = client.post(
        f"{V2}/requests.json", data=filing(key), files={"media": ("x.png", b"not an image", "image/png")}
    )
    assert_error(refused, 400)


def test_filing_is_rate_limited_per_key(client, session, cast, key):
    site_settings.change(session, cast.admin, "rate.open311_post_per_key", "2/600")
    session.flush()
    for n in range(2):
        assert (
            client.post(f"{V2}/requests.json", data=filing(key, description=f"第{n}个井盖松了")).status_code
            == 201
        )
    limited = client.post(f"{V2}/requests.json", data=filing(key, description="第三个"))
    assert_error(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0


# --- reading (GET) ---------------------------------------------------------------------------------


@pytest.fixture
def queue(session, cast):
    """Three public cases (one rejected) and a mediation's case."""
    from grid import workflow

    drain = report(session, cast, ref="q1")
    event = report(session, cast, ref="q2", class_id=class_id(session, "event", "0502"), title="占道经营")
    rejected = walk(
        session,
        cast.zhang_wangge,
        report(session, cast, ref="q3"),
        ("reject", workflow.MoveInput(note="重复上报")),
    )
    hidden = cases.open_case(
        session,
        None,
        cases.Opening(
            source=CaseSource.mediation,
            source_ref="m-x",
            title="调解未成",
            cell_id=cast.cell.id,
            staff_only=True,
        ),
    )
    session.flush()
    return {"drain": drain.id, "event": event.id, "rejected": rejected.id, "hidden": hidden.id}


def ids(client, fmt: str = "json", **params) -> set[int]:
    response = client.get(f"{V2}/requests.{fmt}", params=params)
    assert response.status_code == 200, response.text
    if fmt == "xml":
        return {int(r.findtext("service_request_id")) for r in xml(response).findall("request")}
    return {int(r["service_request_id"]) for r in response.json()}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_filter(client, queue, fmt):
    everything = {queue["drain"], queue["event"], queue["rejected"]}
    assert ids(client, fmt) == everything
    assert ids(client, fmt, service_code="event-0502") == {queue["event"]}
    assert ids(client, fmt, status="closed") == {queue["rejected"]}
    assert ids(client, fmt, status="open") == {queue["drain"], queue["event"]}
    assert ids(client, fmt, service_request_id=f"{queue['drain']},{queue['hidden']}") == {queue["drain"]}
    assert ids(client, fmt, start_date="2020-01-01T00:00:00Z", end_date="2020-03-01T00:00:00+08:00") == set()
    assert ids(client, fmt, start_date="2030-01-01T00:00:00Z") == set()
    assert ids(client, fmt, end_date="2030-01-01T00:00:00Z") == set()  # the 90 days before it
    assert ids(client, fmt, status="open", service_code="component-0103") == {queue["drain"]}


def test_a_request_with_its_status_notes_dates_and_strings(client, queue):
    [rejected] = client.get(f"{V2}/requests/{queue['rejected']}.json").json()
    assert rejected["status"] == "closed" and rejected["status_notes"] == "不予立案：重复上报"
    assert (
        rejected["service_request_id"] == str(queue["rejected"])
        and rejected["service_code"] == "component-0103"
    )
    assert rejected["requested_datetime"].endswith("+08:00") and rejected["expected_datetime"] is None
    [open_one] = client.get(f"{V2}/requests/{queue['drain']}.json").json()
    assert open_one["status"] == "open" and open_one["status_notes"] == "上报"
    root = xml(client.get(f"{V2}/requests/{queue['event']}.xml"))
    assert root.findtext("request/service_code") == "event-0502" and root.findtext("request/status") == "open"


def test_a_registered_case_expects_its_due_date(client, session, cast):
    case = walk(session, cast.zhang_wangge, report(session, cast, ref="due"), "register")
    [found] = client.get(f"{V2}/requests/{case.id}.json").json()
    assert (
        found["expected_datetime"].startswith(case.due_at.astimezone().strftime("%Y"))
        and "+08:00" in found["expected_datetime"]
    )
    assert found["status_notes"] == "已立案"


def test_a_mediations_case_is_nowhere(client, queue):
    assert_error(client.get(f"{V2}/requests/{queue['hidden']}.json"), 404)
    assert_error(client.get(f"{V2}/requests/{queue['hidden']}.xml"), 404, "xml")
    assert queue["hidden"] not in ids(client)
    assert queue["hidden"] not in ids(client, service_request_id=str(queue["hidden"]))


def test_pages_link_to_the_next(client, queue):
    first = client.get(f"{V2}/requests.json", params={"page_size": "2"})
    assert len(first.json()) == 2 and first.headers["X-Total-Count"] == "3"
    assert 'rel="next"' in first.headers["Link"] and "page=2" in first.headers["Link"]
    last = client.get(f"{V2}/requests.json", params={"page_size": "2", "page": "2"})
    assert len(last.json()) == 1 and "Link" not in last.headers


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_are_400(client, fmt):
    assert_error(client.get(f"{V2}/requests.{fmt}", params={"status": "pending"}), 400, fmt)
    wide = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-12-01T00:00:00Z"}
    assert_error(client.get(f"{V2}/requests.{fmt}", params=wide), 400, fmt)


# --- errors are never pages ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_paths_wrong_methods_and_ids_answer_in_the_format(client, fmt):
    assert_error(client.get(f"{V2}/nothing.{fmt}"), 404, fmt)
    assert_error(client.get(f"{V2}/requests/abc.{fmt}"), 404, fmt)
    assert_error(client.get(f"{V2}/requests/99999999999.{fmt}"), 404, fmt)
    assert_error(client.delete(f"{V2}/requests.{fmt}"), 405, fmt)
    assert_error(client.get(f"{V2}/services.html"), 404)  # neither format: JSON


def test_a_body_over_the_limit_is_413_in_the_format(client, settings, key):
    huge = filing(key, description="长" * settings.max_body_bytes)
    assert_error(client.post(f"{V2}/requests.xml", data=huge), 413, "xml")


def test_an_unexpected_error_is_500_in_the_format_with_a_reference(app, monkeypatch):
    def broken(session):
        raise RuntimeError("the taxonomy is on fire")

    monkeypatch.setattr(open311, "services", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        [description] = assert_error(client.get(f"{V2}/services.xml"), 500, "xml")
        assert "the taxonomy" not in description
        assert_error(client.get(f"{V2}/services.json"), 500)
        assert client.get("/grid/cases/").status_code == 200  # pages elsewhere are untouched


def test_only_open311_routes_skip_csrf_and_answer_in_their_format():
    exempt = {r.name for r in features.routes() if options_of(r) and options_of(r).csrf_exempt}
    assert exempt and all(name.startswith("open311.") for name in exempt)
    api = {r.name for r in features.routes() if r.path.startswith(V2)}
    assert api == exempt
    assert all(options_of(r).errors is not None for r in features.routes() if r.name in api)


def test_pages_still_need_their_csrf_token(client, cast):
    log_in(client, "wang_ayi", PASSWORD)
    assert client.post("/grid/cases/", data={"title": "路灯不亮"}).status_code == 403


# --- the OpenAPI description -----------------------------------------------------------------------


def test_the_openapi_description_lists_every_open311_route(client):
    described = client.get(f"{V2}/openapi.json").json()
    assert described["servers"] == [{"url": "http://testserver/open311/v2"}]
    assert described["openapi"].startswith("3.1")

    def shape(path: str) -> str:  # path parameters by position, whatever their names
        return re.sub(r"\{[a-z_]+\}", "{}", path)

    documented = {(m.upper(), shape(p)) for p, operations in described["paths"].items() for m in operations}
    routed = {
        (m, shape(r.path_format[len(V2) :]))
        for r in features.routes()
        if r.path.startswith(V2)
        for m in r.methods - {"HEAD"}
    }
    assert documented == routed


# --- issuing keys ----------------------------------------------------------------------------------


def test_an_admin_issues_a_key_on_the_page_and_it_works_until_revoked(client, session, cast):
    log_in(client, "admin", PASSWORD)
    page = post_form(client, "/admin/open311", {"name": "12345 热线"}, page="/admin/open311")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    secret = page.text.split('<code class="code key">')[1].split("<")[0]
    assert secret.startswith("gz311_")
    listed = client.get("/admin/open311").text
    assert "12345 热线" in listed and secret not in listed  # shown once
    other = TestClient(client.app)
    assert other.post(f"{V2}/requests.json", data=filing(secret)).status_code == 201
    [row] = [k for k in apikeys.list_keys(session) if k.name == "12345 热线"]
    revoked = post_form(client, f"/admin/open311/{row.id}/revoke", {}, page="/admin/open311")
    assert revoked.status_code == 303
    assert_error(other.post(f"{V2}/requests.json", data=filing(secret, description="又一个")), 403)


def test_a_key_needs_a_name(client, cast):
    log_in(client, "admin", PASSWORD)
    refused = post_form(client, "/admin/open311", {"name": ""}, page="/admin/open311")
    assert refused.status_code == 422 and "gz311_" not in refused.text


def test_gongzhi_apikey_prints_a_key_once(env, tmp_path):  # noqa: F811 - the CLI's database
    from core.db import Sessions, make_engine
    from core.settings import Settings

    result = CliRunner().invoke(main, ["apikey", "城管通 App"], env=env)
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    engine = make_engine(Settings.from_env({"GONGZHI_VAR_DIR": str(tmp_path)}))
    with Sessions(engine).read() as session:
        assert apikeys.find_active_key(session, secret).name == "城管通 App"
    engine.dispose()
    assert CliRunner().invoke(main, ["apikey", "x"], env=env).exit_code != 0


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;'


def test_what_people_typed_is_escaped_on_the_page_and_in_the_xml(client, session, cast, key):
    log_in(client, "admin", PASSWORD)
    page = post_form(client, "/admin/open311", {"name": XSS[:80]}, page="/admin/open311")
    assert page.status_code == 200 and "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    created = client.post(f"{V2}/requests.xml", data=filing(key, description=XSS))
    case_id = xml(created).findtext("request/service_request_id")
    root = xml(client.get(f"{V2}/requests/{case_id}.xml"))
    assert (
        root.findtext("request/description") == XSS
        and b"<script>" not in client.get(f"{V2}/requests/{case_id}.xml").content
    )
    assert client.get(f"{V2}/requests/{case_id}.json").json()[0]["description"] == XSS


def test_the_demo_files_the_hotlines_reports_once(env):  # noqa: F811 - the CLI's database
    first = CliRunner().invoke(main, ["demo"], env=env)
    assert first.exit_code == 0, first.output
    assert "1 Open311 keys, 3 Open311 requests" in first.output
    second = CliRunner().invoke(main, ["demo"], env=env)
    assert "0 Open311 keys, 0 Open311 requests" in second.output


def test_a_database_that_is_down_gives_503_in_the_format(tmp_path):
    from tests.conftest import make_settings
    from web.app import create_app

    settings = make_settings(tmp_path, "postgresql://nobody@127.0.0.1:9/nothing", in_process_worker=False)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        down = client.get(f"{V2}/requests.xml")
        [description] = assert_error(down, 503, "xml")
        assert "数据库" in description and down.headers["retry-after"]
        assert_error(client.post(f"{V2}/requests.json", data={"api_key": "gz311_x"}), 503)
