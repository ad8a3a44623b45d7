"""The local demo shop, over real sockets on 127.0.0.1: pages, banner, login, checkout, policy, trackers.

Requests go through the standard library's http.client with the served host names as SNI and Host
header (the certificate is self-signed, so verification is off). One test drives headless Chromium
when Playwright and /usr/bin/chromium are present.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from privprobe.capture.demo.shop import MAX_BODY, PERSONA_FILE, ReceivedRequest, ShopServer, serve_shop
from privprobe.capture.demo.site.app import FIRST_PARTY, LOG_HOST, SHOP_HOST, SITE
from privprobe.errors import PrivprobeError
from privprobe.reference.data_types import load_data_types

TRACKERS = json.loads((SITE / "trackers.json").read_text("utf-8"))["hosts"]
PERSONA = json.loads(PERSONA_FILE.read_text("utf-8"))
CANARIES = {item["name"]: item["value"] for item in PERSONA["canaries"]}
FORM = "application/x-www-form-urlencoded"


class _LocalHTTPS(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 with ``host`` as SNI and Host header, as a browser mapped onto the shop."""

    def __init__(self, host: str, port: int, context: ssl.SSLContext) -> None:
        super().__init__(host, port, context=context, timeout=10)
        self.tls = context

    def connect(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def _unverified() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # the shop's certificate is self-signed
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def connect(shop: ShopServer, host: str, scheme: str = "https") -> http.client.HTTPConnection:
    if scheme == "http":
        return http.client.HTTPConnection("127.0.0.1", shop.http_port, timeout=10)
    return _LocalHTTPS(host, shop.https_port, _unverified())


def fetch(
    shop: ShopServer,
    host: str,
    path: str,
    method: str = "GET",
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[http.client.HTTPResponse, bytes]:
    """One request on a fresh connection: the response and its body."""
    connection = connect(shop, host)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def page(shop: ShopServer, path: str, cookie: str = "") -> str:
    response, body = fetch(shop, SHOP_HOST, path, headers={"Cookie": cookie} if cookie else None)
    assert response.status == 200, path
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    return body.decode("utf-8")


def login(shop: ShopServer) -> str:
    """Log the persona in; the session cookie as ``sid=...``."""
    form = "&".join(
        f"{field}={CANARIES[f'persona-{field}']}" for field in ("email", "phone", "name", "password")
    )
    response, _ = fetch(shop, SHOP_HOST, "/login", "POST", form.encode(), {"Content-Type": FORM})
    assert response.status == 303
    return response.getheader("Set-Cookie", "").split(";")[0]


@pytest.fixture(scope="module")
def shop() -> Iterator[ShopServer]:
    with serve_shop() as running:
        yield running


@pytest.mark.parametrize(
    "path",
    ["/", "/product/1001", "/product/1002", "/product/1003", "/cart", "/login", "/checkout", "/privacy"],
)
def test_every_page_links_the_policy_from_its_footer(shop: ShopServer, path: str) -> None:
    html = page(shop, path)
    assert '<html lang="ko"' in html
    assert '<a href="/privacy">개인정보처리방침</a>' in html
    assert "https://www.googletagmanager.com/gtm.js?id=GTM-DEMO01" in html


def test_home_lists_the_products_with_same_site_links(shop: ShopServer) -> None:
    html = page(shop, "/")
    assert {"/product/1001", "/product/1002", "/product/1003", "/cart", "/login", "/checkout"} <= set(
        re.findall(r'href="(/[^"]*)"', html)
    )
    assert "상품" in html and "장바구니" in html and "로그인" in html and "결제" in html


def test_unknown_page_and_product_are_404(shop: ShopServer) -> None:
    for path in ("/product/9999", "/nowhere", "/order/DS99999999"):
        response, body = fetch(shop, SHOP_HOST, path)
        assert response.status == 404
        assert "페이지를 찾을 수 없습니다" in body.decode()


def test_banner_is_shown_until_answered(shop: ShopServer) -> None:
    html = page(shop, "/")
    banner = re.search(r'<div id="consent-banner"[^>]*>', html)
    assert banner is not None and "hidden" not in banner[0]
    for element_id, text in [
        ("consent-accept-all", "모두 동의"),
        ("consent-reject", "거부"),
        ("consent-settings", "설정"),
        ("consent-reject-all", "모두 거부"),
        ("consent-save", "선택 저장"),
    ]:
        assert f'id="{element_id}"' in html and f">{text}</button>" in html
    for answer in ("accepted", "refused"):
        answered = re.search(r'<div id="consent-banner"[^>]*>', page(shop, "/", f"consent={answer}"))
        assert answered is not None and answered[0].endswith(" hidden>")


def test_login_sets_a_session_cookie_and_redirects_home(shop: ShopServer) -> None:
    form = "email=minji.kim%40example.com&phone=010-1234-5678&name=%EA%B9%80%EB%AF%BC%EC%A7%80&password=pw"
    response, _ = fetch(shop, SHOP_HOST, "/login", "POST", form, {"Content-Type": FORM})
    assert response.status == 303 and response.getheader("Location") == "/"
    cookie = response.getheader("Set-Cookie", "")
    assert re.match(r"sid=[\w-]{20,}; Path=/; SameSite=Lax; Secure; HttpOnly$", cookie)
    html = page(shop, "/", cookie.split(";")[0])
    assert "김민지님" in html
    assert '"email": "minji.kim@example.com"' in html  # the user in dataLayer, for the tags


def test_login_refuses_an_incomplete_form(shop: ShopServer) -> None:
    response, body = fetch(shop, SHOP_HOST, "/login", "POST", "email=nobody", {"Content-Type": FORM})
    assert response.status == 400 and response.getheader("Set-Cookie") is None
    assert 'class="error"' in body.decode()


def test_checkout_records_the_order_with_the_customs_code(shop: ShopServer) -> None:
    sid = login(shop)
    response, _ = fetch(
        shop, SHOP_HOST, "/cart", "POST", "product=1002", {"Content-Type": FORM, "Cookie": sid}
    )
    cart = response.getheader("Set-Cookie", "").split(";")[0]
    assert response.status == 303 and cart == "cart=1002"
    assert "스테인리스 진공 텀블러" in page(shop, "/checkout", f"{sid}; {cart}")
    order = f"name=김민지&phone=010-1234-5678&address=서울특별시 중구 예시로 12&customs_code={CANARIES['persona-customs-code']}"
    headers = {"Content-Type": FORM, "Cookie": f"{sid}; {cart}"}
    response, _ = fetch(shop, SHOP_HOST, "/checkout", "POST", order.encode(), headers)
    assert response.status == 303
    location = response.getheader("Location", "")
    assert re.fullmatch(r"/order/DS\d{8}", location)
    confirmation = page(shop, location, sid)
    assert "주문이 완료되었습니다" in confirmation and "12,800원" in confirmation
    assert '{"event": "purchase", "value": 12800' in confirmation
    posted = shop.requests.find(SHOP_HOST, "/checkout")[-1]
    assert posted.method == "POST" and posted.form()["customs_code"] == "P240512345678"


def test_checkout_refuses_a_malformed_customs_code(shop: ShopServer) -> None:
    order = "name=a&phone=010&address=b&customs_code=P123"
    response, body = fetch(shop, SHOP_HOST, "/checkout", "POST", order, {"Content-Type": FORM})
    assert response.status == 400 and "개인통관고유부호" in body.decode()


def _table(html: str, table_id: str) -> str:
    match = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert match is not None, table_id
    return match[1]


def test_policy_discloses_some_overseas_recipients_and_omits_others(shop: ShopServer) -> None:
    html = page(shop, "/privacy")
    for heading in [
        "제1조(개인정보의 처리 목적)",
        "제6조(개인정보 처리의 위탁)",
        "제7조(개인정보의 국외 이전)",
        "제13조(국내대리인)",
        "제12조(개인정보 보호책임자)",
    ]:
        assert heading in html
    transfers = _table(html, "overseas-transfer")
    for header in [
        "이전받는 자",
        "이전되는 국가",
        "이전 일시 및 방법",
        "이전되는 개인정보 항목",
        "보유·이용 기간",
    ]:
        assert header in transfers
    assert "Google LLC" in transfers and "미국" in transfers
    assert "Alibaba Cloud (Singapore) Private Limited" in transfers and "싱가포르" in transfers
    rows = re.findall(r"<tr>(.*?)</tr>", transfers, re.S)
    alibaba = next(row for row in rows if "Alibaba Cloud" in row)
    assert "<td>—</td>" in alibaba  # no time and method of transfer: one of the statutory items missing
    for omitted in ["Meta", "Facebook", "TikTok", "ByteDance", "Pangle", "mmstat"]:
        assert omitted not in html


@pytest.mark.parametrize(("host", "path"), [(h, p) for h, spec in TRACKERS.items() for p in spec["files"]])
def test_tracker_scripts_are_served_under_their_hosts(shop: ShopServer, host: str, path: str) -> None:
    response, body = fetch(shop, host, path)
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/javascript; charset=utf-8"
    assert body.startswith(b"/*") and b"written for privprobe's demo" in body


@pytest.mark.parametrize("host", [h for h, spec in TRACKERS.items() if spec["cookie"]])
def test_collectors_set_third_party_cookies_from_their_domains(shop: ShopServer, host: str) -> None:
    spec = TRACKERS[host]
    path = next(iter(spec["collect"]))
    response, _ = fetch(shop, host, path + "?did=x")
    assert response.status == 200
    cookie = response.getheader("Set-Cookie", "")
    name, domain = spec["cookie"]["name"], spec["cookie"]["domain"]
    assert cookie.startswith(f"{name}=") and f"Domain={domain}" in cookie
    assert cookie.endswith("; SameSite=None; Secure")
    again, _ = fetch(shop, host, path, headers={"Cookie": cookie.split(";")[0]})
    assert again.getheader("Set-Cookie") is None


def test_static_files_have_their_content_types(shop: ShopServer) -> None:
    for path, kind in [
        ("/static/shop.css", "text/css; charset=utf-8"),
        ("/static/shop.js", "text/javascript; charset=utf-8"),
        ("/static/img/earbuds.svg", "image/svg+xml"),
    ]:
        response, body = fetch(shop, "img.shop.example", path)
        assert (response.status, response.getheader("Content-Type")) == (200, kind) and body
    assert fetch(shop, "img.shop.example", "/static/../shop.py")[0].status == 404


def test_preflight_allows_credentialed_cross_origin_posts(shop: ShopServer) -> None:
    headers = {
        "Origin": "https://www.shop.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    response, _ = fetch(shop, "analytics.tiktok.com", "/api/v2/pixel", "OPTIONS", headers=headers)
    assert response.status == 204
    assert response.getheader("Access-Control-Allow-Origin") == "https://www.shop.example"
    assert response.getheader("Access-Control-Allow-Credentials") == "true"
    assert response.getheader("Access-Control-Allow-Headers") == "content-type"


def test_the_server_log_records_what_it_received(shop: ShopServer) -> None:
    event = json.dumps({"did": CANARIES["persona-device-id"], "event": "page_view"})
    headers = {"Host": f"{LOG_HOST}:8443", "Content-Type": "text/plain;charset=UTF-8"}  # the port is ignored
    response, _ = fetch(shop, LOG_HOST, "/v1/event?v=1", "POST", event, headers)
    assert response.status == 204
    logged = shop.requests.find(LOG_HOST, "/v1/event")[-1]
    assert (logged.scheme, logged.method, logged.query, logged.params()) == (
        "https",
        "POST",
        "v=1",
        {"v": "1"},
    )
    assert json.loads(logged.body)["did"] == CANARIES["persona-device-id"]
    assert logged.header("content-type") == "text/plain;charset=UTF-8"
    assert logged in list(shop.requests) and len(shop.requests) >= 1


def test_unknown_hosts_get_404(shop: ShopServer) -> None:
    for host in ("example.com", "shop.example", "www.facebook.com.evil.example"):
        response, body = fetch(shop, host, "/")
        assert response.status == 404 and b"unknown host" in body


def test_certificate_names_every_served_host(shop: ShopServer) -> None:
    connection = connect(shop, SHOP_HOST)
    connection.connect()
    assert isinstance(connection.sock, ssl.SSLSocket)
    der = connection.sock.getpeercert(binary_form=True)
    connection.close()
    assert der is not None
    names = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert set(shop.hosts) <= set(names.value.get_values_for_type(x509.DNSName))


def test_hosts_and_resolve_rules(shop: ShopServer) -> None:
    assert shop.url == "https://www.shop.example/"
    assert set(FIRST_PARTY) | set(TRACKERS) == set(shop.hosts)
    assert "api16-access-sg.pangle.io" in shop.hosts and "log.mmstat.com" in shop.hosts
    assert shop.resolve_rules()[0] == f"www.shop.example:127.0.0.1:{shop.https_port}"
    assert len(shop.resolve_rules()) == len(shop.hosts)


def test_plain_http_serves_the_same_site(shop: ShopServer) -> None:
    connection = connect(shop, SHOP_HOST, "http")
    connection.request("GET", "/login", headers={"Host": SHOP_HOST})
    response = connection.getresponse()
    assert response.status == 200 and 'id="login-submit"' in response.read().decode()
    connection.request(
        "POST",
        "/login",
        body="email=a%40b.example&phone=1&name=n&password=p",
        headers={"Host": SHOP_HOST, "Content-Type": FORM},
    )
    response = connection.getresponse()
    response.read()
    assert "Secure" not in response.getheader("Set-Cookie", "")  # a browser drops Secure cookies over http
    connection.close()
    assert shop.requests.find(SHOP_HOST, "/login")[-1].scheme == "http"


def _raw_request(shop: ShopServer, head: str) -> bytes:
    """Send ``head`` over TLS as is; everything the server sends back until it closes."""
    with (
        socket.create_connection(("127.0.0.1", shop.https_port), 10) as raw,
        _unverified().wrap_socket(raw, server_hostname=LOG_HOST) as tls,
    ):
        tls.sendall(head.encode())
        received = b""
        while chunk := tls.recv(65536):
            received += chunk
        return received


def test_request_bodies_are_bounded(shop: ShopServer) -> None:
    too_long = _raw_request(
        shop, f"POST /v1/event HTTP/1.1\r\nHost: {LOG_HOST}\r\nContent-Length: {MAX_BODY + 1}\r\n\r\n"
    )
    assert too_long.startswith(b"HTTP/1.1 413 ")
    chunked = _raw_request(
        shop, f"POST /v1/event HTTP/1.1\r\nHost: {LOG_HOST}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    assert chunked.startswith(b"HTTP/1.1 411 ")
    response, _ = fetch(shop, LOG_HOST, "/v1/event", "POST", b"x" * MAX_BODY)
    assert response.status == 204
    assert len(shop.requests.find(LOG_HOST, "/v1/event")[-1].body) == MAX_BODY


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_shutdown_closes_ports_and_idle_connections() -> None:
    threads = set(threading.enumerate())
    with serve_shop() as running:
        ports = running.https_port, running.http_port
        idle = socket.create_connection(("127.0.0.1", running.https_port))  # never finishes its handshake
        keep_alive = connect(running, SHOP_HOST)
        keep_alive.request("GET", "/")
        keep_alive.getresponse().read()
        started = time.monotonic()
    assert time.monotonic() - started < 5  # not the idle time-out: open connections are ended
    assert all(_refused(port) for port in ports)
    assert not set(threading.enumerate()) - threads  # the serving and connection threads have ended
    idle.close()
    keep_alive.close()
    with pytest.raises(PrivprobeError, match="not running"):
        _ = running.https_port


def test_persona_script_uses_only_the_documented_steps() -> None:
    types = load_data_types()
    for canary in PERSONA["canaries"]:
        assert set(canary) == {"name", "type", "value"} and types.get(canary["type"]) is not None
    for step in PERSONA["steps"]:
        action = set(step) & {"goto", "fill", "click", "wait"}
        assert len(action) == 1, step
        if "fill" in step:
            assert len(set(step) & {"canary", "value"}) == 1 and set(step) <= {"fill", "canary", "value"}
            assert "canary" not in step or step["canary"] in CANARIES
        else:
            assert len(step) == 1
        if "wait" in step:
            assert step["wait"] in ("load", "networkidle") or isinstance(step["wait"], int | float)
    assert re.fullmatch(r"P\d{12}", CANARIES["persona-customs-code"])


def _browser_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path("/usr/bin/chromium").exists()


def _wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def _wait_quiet(shop: ShopServer, quiet: float = 0.6, seconds: float = 10) -> None:
    """Until the shop has received nothing for ``quiet`` seconds (the page's beacons have gone)."""
    deadline = time.monotonic() + seconds
    seen, since = len(shop.requests), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.05)
        if len(shop.requests) != seen:
            seen, since = len(shop.requests), time.monotonic()


EMAIL_SHA256 = hashlib.sha256(CANARIES["persona-email"].lower().encode()).hexdigest()
PHONE_E164_SHA256 = hashlib.sha256(b"+821012345678").hexdigest()
SILENT_AFTER_REFUSAL = {
    "www.google-analytics.com",
    "analytics.tiktok.com",
    "wcs.naver.net",
    "t1.kakaocdn.net",
    "g.alicdn.com",
    "api16-access-sg.pangle.io",
}


def _phase(shop: ShopServer, browser: Any, answer: str | None) -> list[ReceivedRequest]:
    """One fresh browser context: open the shop, answer the banner (a text or a selector), log in."""
    first = len(shop.requests)
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(shop.url, wait_until="load")
    _wait_for(lambda: {"log.mmstat.com", LOG_HOST} <= {r.host for r in shop.requests.snapshot()[first:]})
    if answer is not None:
        tab.click(answer)
    tab.goto(shop.url + "login")
    for field in ("email", "phone", "name", "password"):
        tab.fill(f"input[name={field}]", CANARIES[f"persona-{field}"])
    tab.click("#login-submit")
    tab.wait_for_load_state("load")
    _wait_for(lambda: any(b'"uid"' in r.body for r in shop.requests.snapshot()[first:]))
    _wait_quiet(shop)
    context.close()
    return shop.requests.snapshot()[first:]


def _pixel_em(requests: list[ReceivedRequest]) -> set[str]:
    return {r.params().get("em", "") for r in requests if r.host == "www.facebook.com" and r.path == "/tr/"}


@pytest.mark.skipif(not _browser_available(), reason="needs playwright and /usr/bin/chromium")
def test_chromium_sees_the_three_phases_the_shop_is_built_to_show() -> None:
    """Before consent only the first party, mmstat and the tag container; after accepting, every
    tracker, the Meta pixel with the hashed e-mail; after refusing, still the pixel and mmstat's
    profile sync with the phone number in clear, and nothing else."""
    from playwright.sync_api import sync_playwright

    with serve_shop() as running, sync_playwright() as playwright:
        rules = ",".join(f"MAP {host} 127.0.0.1:{running.https_port}" for host in running.hosts)
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                f"--host-resolver-rules={rules},MAP * ~NOTFOUND",
                "--ignore-certificate-errors",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        before = _phase(running, browser, None)
        accepted = _phase(running, browser, "text=모두 동의")
        refused = _phase(running, browser, "#consent-reject")
        browser.close()

    assert {r.host for r in before} == {
        SHOP_HOST,
        "img.shop.example",
        LOG_HOST,
        "log.mmstat.com",
        "www.googletagmanager.com",
    }
    assert EMAIL_SHA256 in {json.loads(r.body).get("uid") for r in before if r.host == LOG_HOST}
    assert {r.params().get("did") for r in before if r.path == "/v.gif"} == {CANARIES["persona-device-id"]}

    assert EMAIL_SHA256 in _pixel_em(accepted)
    assert {r.host for r in accepted} >= SILENT_AFTER_REFUSAL
    assert any(r.params().get("cid") for r in accepted if r.host == "www.google-analytics.com")
    tiktok = [json.loads(r.body) for r in accepted if r.host == "analytics.tiktok.com" and r.method == "POST"]
    assert PHONE_E164_SHA256 in {event["context"]["user"].get("phone_number") for event in tiktok}
    ads = [
        json.loads(r.body) for r in accepted if r.host == "api16-access-sg.pangle.io" and r.method == "POST"
    ]
    assert ads and ads[0]["device"]["did"] == CANARIES["persona-device-id"]
    assert ads[0]["geo"]["ll"] == CANARIES["persona-location"]

    assert EMAIL_SHA256 in _pixel_em(refused)
    assert not SILENT_AFTER_REFUSAL & {r.host for r in refused}
    syncs = [json.loads(r.body) for r in refused if r.path == "/aplus/sync" and r.method == "POST"]
    assert {"did": CANARIES["persona-device-id"], "phone": CANARIES["persona-phone"]}.items() <= syncs[
        0
    ].items()
