"""The demo shop's web application: what each of its host names answers, without any networking.

`Shop.answer` turns one `ReceivedRequest` into a `Reply`: the pages of www.shop.example (rendered from
``templates/`` with every value HTML-escaped, the policy from ``privacy.html``), the shop's CDN
(``static/``), its first-party event log, and the third parties listed in ``trackers.json`` (their
scripts from ``trackers/``, their collection endpoints with a third-party cookie). Sessions and orders
live in memory for the life of the server. The server around it is `privprobe.capture.demo.shop`.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import parse_qsl

SHOP_HOST = "www.shop.example"
STATIC_HOST = "img.shop.example"
LOG_HOST = "log.shop.example"
FIRST_PARTY = (SHOP_HOST, STATIC_HOST, LOG_HOST)
"""The shop's own host names: pages, CDN, event log."""
SITE = Path(__file__).parent
"""The site's templates, policy, static files and tracker scripts."""
PERSONA_FILE = SITE.parent / "persona.json"
"""The demo persona: canaries and the login and checkout steps."""
MAX_REMEMBERED = 1000
"""Sessions and orders kept in memory (the oldest are forgotten first)."""

_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
_HTML = "text/html; charset=utf-8"
_GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
_PCCC = re.compile(r"[Pp]\d{12}")


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    """One request as the demo shop received it."""

    scheme: str
    """``https`` or ``http``."""
    host: str
    """The Host header's name in lower case, without the port."""
    method: str
    """The HTTP method."""
    path: str
    """The path, without the query."""
    query: str
    """The query string as sent, without ``?``."""
    headers: tuple[tuple[str, str], ...]
    """Every header in the order received."""
    body: bytes
    """The body (bounded by the server)."""

    def header(self, name: str) -> str | None:
        """The first header of that name (any case), or None."""
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def params(self) -> dict[str, str]:
        """The query's fields (the first value of each)."""
        return _first_values(self.query)

    def form(self) -> dict[str, str]:
        """The fields of a form-encoded body (the first value of each)."""
        return _first_values(self.body.decode("utf-8", "replace"))

    def cookies(self) -> dict[str, str]:
        """The cookies the browser sent."""
        pairs = (part.strip().partition("=") for part in (self.header("Cookie") or "").split(";"))
        return {name: value for name, _, value in pairs if name}


def _first_values(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        fields.setdefault(name, value)
    return fields


@dataclass(frozen=True, slots=True)
class Reply:
    """What the shop answers to one request."""

    status: int
    """The HTTP status."""
    body: bytes = b""
    """The body (empty for 204 and redirects)."""
    content_type: str = "text/plain; charset=utf-8"
    """The Content-Type header."""
    headers: tuple[tuple[str, str], ...] = ()
    """Further headers: Location, Set-Cookie, CORS."""


@dataclass(frozen=True, slots=True)
class _Tracker:
    files: Mapping[str, bytes]
    """Script bodies by path."""
    collect: Mapping[str, str]
    """Collection endpoints by path: the kind of reply (``gif``, ``json``, ``empty``)."""
    cookie: tuple[str, str] | None
    """The third-party cookie's name and domain."""


class _Site:
    """The site's files, read once at start."""

    def __init__(self, folder: Path = SITE) -> None:
        self.templates = {
            p.name: Template(p.read_text("utf-8")) for p in (folder / "templates").glob("*.html")
        }
        self.policy = (folder / "privacy.html").read_text("utf-8")
        catalogue = json.loads((folder / "products.json").read_text("utf-8"))["products"]
        self.products: dict[str, dict[str, Any]] = {item["id"]: item for item in catalogue}
        static = folder / "static"
        self.static = {f"/static/{p.relative_to(static).as_posix()}": p.read_bytes() for p in _files(static)}
        hosts = json.loads((folder / "trackers.json").read_text("utf-8"))["hosts"]
        self.trackers = {host: _tracker(folder / "trackers", spec) for host, spec in hosts.items()}

    def render(self, template: str, /, **values: object) -> str:
        """``template`` filled in; values are HTML-escaped unless their name ends in ``_html``."""
        escaped = {k: str(v) if k.endswith("_html") else html.escape(str(v)) for k, v in values.items()}
        return self.templates[template].substitute(escaped)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in _TYPES)


def _tracker(folder: Path, spec: dict[str, Any]) -> _Tracker:
    files = {path: (folder / name).read_bytes() for path, name in spec["files"].items()}
    cookie = spec["cookie"]
    return _Tracker(files, dict(spec["collect"]), (cookie["name"], cookie["domain"]) if cookie else None)


def _persona_values() -> dict[str, str]:
    canaries = json.loads(PERSONA_FILE.read_text("utf-8"))["canaries"]
    return {item["name"]: item["value"] for item in canaries}


def _script_json(value: object) -> str:
    """JSON safe inside an inline <script>."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace("\u2028", "\\u2028")


def _cookie(name: str, value: str, request: ReceivedRequest, extra: str = "") -> tuple[str, str]:
    secure = "; Secure" if request.scheme == "https" else ""
    return ("Set-Cookie", f"{name}={value}; Path=/; SameSite=Lax{secure}{extra}")


def _remember(table: dict[str, dict[str, str]], key: str, value: dict[str, str]) -> None:
    """Store ``value``, forgetting the oldest entry beyond `MAX_REMEMBERED`."""
    if len(table) >= MAX_REMEMBERED:
        table.pop(next(iter(table)))
    table[key] = value


_Page = Callable[[ReceivedRequest, re.Match[str]], Reply]
"""A page of the shop: the request and its path's match to a reply."""


def _redirect(location: str, *headers: tuple[str, str]) -> Reply:
    return Reply(303, headers=(("Location", location), *headers))


class Shop:
    """The demo shop's behaviour: every host's answers, the sessions and the orders."""

    def __init__(self) -> None:
        self.site = _Site()
        persona = _persona_values()
        self.device_id, self.geo = persona["persona-device-id"], persona["persona-location"]
        self._lock = threading.Lock()
        self._sessions: dict[str, dict[str, str]] = {}
        self._orders: dict[str, dict[str, str]] = {}
        self._order_numbers = itertools.count(1)
        self._routes: list[tuple[str, re.Pattern[str], _Page]] = [
            ("GET", re.compile(r"/"), self._home),
            ("GET", re.compile(r"/product/(\w+)"), self._product),
            ("GET", re.compile(r"/cart"), self._cart),
            ("POST", re.compile(r"/cart"), self._add_to_cart),
            ("GET", re.compile(r"/login"), lambda r, m: self._login_form(r, "", 200)),
            ("POST", re.compile(r"/login"), self._login),
            ("POST", re.compile(r"/logout"), self._logout),
            ("GET", re.compile(r"/checkout"), lambda r, m: self._checkout_form(r, "", 200)),
            ("POST", re.compile(r"/checkout"), self._checkout),
            ("GET", re.compile(r"/order/([\w-]+)"), self._order),
            ("GET", re.compile(r"/privacy"), self._privacy),
        ]

    def answer(self, request: ReceivedRequest) -> Reply:
        """The reply to one request, chosen by its host."""
        if request.host == SHOP_HOST:
            return self._route(request)
        if request.host == STATIC_HOST:
            asset = self.site.static.get(request.path)
            if asset is None or request.method not in ("GET", "HEAD"):
                return Reply(404, b"not found\n")
            return Reply(200, asset, _TYPES[Path(request.path).suffix])
        if request.host == LOG_HOST or request.host in self.site.trackers:
            return _with_cors(request, self._collector(request))
        return Reply(404, f"unknown host {request.host!r}\n".encode())

    def _route(self, request: ReceivedRequest) -> Reply:
        method = "GET" if request.method == "HEAD" else request.method
        for allowed, pattern, page in self._routes:
            match = pattern.fullmatch(request.path)
            if match and allowed == method:
                return page(request, match)
        not_found = self.site.render("not_found.html")
        return self._page(request, "페이지를 찾을 수 없습니다", not_found, status=404)

    def _collector(self, request: ReceivedRequest) -> Reply:
        if request.method == "OPTIONS":
            return Reply(204)
        if request.host == LOG_HOST:
            return Reply(204) if request.path == "/v1/event" else Reply(404, b"not found\n")
        tracker = self.site.trackers[request.host]
        if request.path in tracker.files:
            return Reply(200, tracker.files[request.path], _TYPES[".js"])
        kind = tracker.collect.get(request.path)
        if kind is None:
            return Reply(404, b"not found\n")
        headers: tuple[tuple[str, str], ...] = ()
        if tracker.cookie and tracker.cookie[0] not in request.cookies():
            name, domain = tracker.cookie
            value = f"{name}={secrets.token_hex(12)}; Domain={domain}; Path=/; Max-Age=31536000"
            headers = (("Set-Cookie", f"{value}; SameSite=None; Secure"),)
        if kind == "gif":
            return Reply(200, _GIF, "image/gif", headers)
        if kind == "json":
            return Reply(200, b'{"code":0,"message":"ok"}', "application/json", headers)
        return Reply(204, headers=headers)

    # Pages of www.shop.example

    def _user(self, request: ReceivedRequest) -> dict[str, str] | None:
        with self._lock:
            return self._sessions.get(request.cookies().get("sid", ""))

    def _page(
        self,
        request: ReceivedRequest,
        title: str,
        content: str,
        *,
        status: int = 200,
        pushes: tuple[object, ...] = (),
    ) -> Reply:
        """A page in the layout; ``pushes`` are dataLayer messages after the logged-in user's."""
        user = self._user(request)
        pushes = ({"event": "user", "user": user}, *pushes) if user else pushes
        account = '<a href="/login">로그인</a>'
        if user:
            account = self.site.render("account.html", name=user["name"])
        answered = request.cookies().get("consent") in ("accepted", "refused")
        page = self.site.render(
            "layout.html",
            title=title,
            device_id=self.device_id,
            geo=self.geo,
            datalayer_html="".join(f"dataLayer.push({_script_json(p)});" for p in pushes),
            banner_html=self.site.render("banner.html", hidden_html=" hidden" if answered else ""),
            account_html=account,
            content_html=content,
        )
        return Reply(status, page.encode(), _HTML)

    def _cards(self, template: str, ids: list[str]) -> tuple[str, int]:
        items = [self.site.products[i] for i in ids]
        rows = "".join(self.site.render(template, **{**p, "price": f"{p['price']:,}"}) for p in items)
        return rows, sum(p["price"] for p in items)

    def _home(self, request: ReceivedRequest, match: re.Match[str]) -> Reply:
        cards, _ = self._cards("card.html", list(self.site.products))
        return self._page(request, "해외직구 특가", self.site.render("home.html", cards_html=cards))

    def _product(self, request: ReceivedRequest, match: re.Match[str]) -> Reply:
        product = self.site.products.get(match[1])
        if product is None:
            return self._page(request, "상품 없음", self.site.render("not_found.html"), status=404)
        values = {**product, "price": f"{product['price']:,}"}
        return self._page(request, product["name"], self.site.render("product.html", **values))

    def _privacy(self, request: ReceivedRequest, match: re.Match[str]) -> Reply:
        return self._page(request, "개인정보처리방침", self.site.policy)

    def _cart_ids(self, request: ReceivedRequest) -> list[str]:
        ids = request.cookies().get("cart", "").split(".")
        return [i for i in ids if i in self.site.products][:20]

    def _cart(self, request: ReceivedRequest, match: re.Match[str]) -> Reply:
        rows, total = self._cards("cart_row.html", self._cart_ids(request))
        return self._page(
            request, "장바구니", self.site.render("cart.html", rows_html=rows, total=f"{total:,}")
        )

    def _add_to_cart(self, request: ReceivedRequest, match: re.Match[str]) -> Reply:
        product = request.form().get("product", "")
        ids = self._cart_ids(request) + ([product] if product in self.site.products else [])
        return _redirect("/cart", _cookie("cart", ".".join(ids[-20:]), request))

    def _login_form(self, request: ReceivedRequest, error: str, status: int) -> Reply:
        error_html = f'<p class="error">{html.escape(error)}</p>' if error else ""
        return self._page(
            request, "로그인", self.site.render("login.html", error_html=error_html), status=status
        )

    def _login(self, request: ReceivedRequest, match: re.Match[str]) -> Reply:
        form = request.form()
        fields = {key: form.get(key, "").strip()[:200] for key in ("email", "phone", "name", "password")}
        if "@" not in fields["email"] or not all(fields.values()):
            return self._login_form(
                request, "이메일, 휴대전화번호, 이름, 비밀번호를 모두 입력해 주세요.", 400
            )
        token = secrets.token_urlsafe(24)
        with self._lock:
            _remember(self._sessions, token, {k: v for k, v in fields.items() if k != "password"})
        return _redirect("/", _cookie("sid", token, request, "; HttpOnly"))

    def _logout(self, request: ReceivedRequest, match: re.Match[str]) -> Reply:
        with self._lock:
            self._sessions.pop(request.cookies().get("sid", ""), None)
        return _redirect("/", _cookie("sid", "", request, "; Max-Age=0"))

    def _checkout_ids(self, request: ReceivedRequest) -> list[str]:
        # An empty cart checks out the first product ("바로 구매"), so the persona script never stalls.
        return self._cart_ids(request) or [next(iter(self.site.products))]

    def _checkout_form(self, request: ReceivedRequest, error: str, status: int) -> Reply:
        rows, total = self._cards("cart_row.html", self._checkout_ids(request))
        user = self._user(request) or {}
        content = self.site.render(
            "checkout.html",
            rows_html=rows,
            total=f"{total:,}",
            error_html=f'<p class="error">{html.escape(error)}</p>' if error else "",
            name=user.get("name", ""),
            phone=user.get("phone", ""),
        )
        return self._page(request, "결제", content, status=status)

    def _checkout(self, request: ReceivedRequest, match: re.Match[str]) -> Reply:
        form = request.form()
        order = {key: form.get(key, "").strip()[:300] for key in ("name", "phone", "address", "customs_code")}
        if not all(order.values()) or not _PCCC.fullmatch(order["customs_code"]):
            return self._checkout_form(
                request, "배송 정보와 개인통관고유부호(P로 시작하는 13자리)를 확인해 주세요.", 400
            )
        _, total = self._cards("cart_row.html", self._checkout_ids(request))
        with self._lock:
            number = f"DS{next(self._order_numbers):08d}"
            _remember(self._orders, number, {**order, "total": f"{total:,}", "value": str(total)})
        return _redirect(f"/order/{number}", _cookie("cart", "", request, "; Max-Age=0"))

    def _order(self, request: ReceivedRequest, match: re.Match[str]) -> Reply:
        with self._lock:
            order = self._orders.get(match[1])
        if order is None:
            return self._page(request, "주문 없음", self.site.render("not_found.html"), status=404)
        content = self.site.render("order.html", number=match[1], **order)
        purchase = {"event": "purchase", "value": int(order["value"]), "order": match[1]}
        return self._page(request, "주문 완료", content, pushes=(purchase,))


def _with_cors(request: ReceivedRequest, reply: Reply) -> Reply:
    """Trackers answer cross-origin calls with credentials, as real collection endpoints do."""
    origin = request.header("Origin")
    if origin is None:
        return reply
    cors = [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Credentials", "true"),
        ("Vary", "Origin"),
    ]
    if request.method == "OPTIONS":
        cors += [("Access-Control-Allow-Methods", "GET, POST, OPTIONS"), ("Access-Control-Max-Age", "600")]
        cors += [
            (
                "Access-Control-Allow-Headers",
                request.header("Access-Control-Request-Headers") or "content-type",
            )
        ]
    return Reply(reply.status, reply.body, reply.content_type, (*reply.headers, *cors))
