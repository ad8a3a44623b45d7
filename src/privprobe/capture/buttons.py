"""The consent fallback: click a banner's button by its visible text, in any frame.

Used when no autoconsent rule recognises the banner (a site's own banner, often in Korean and often
inside an iframe). Every frame of the page is searched, open shadow roots included, for visible
buttons and links whose whole text is one of the phrases below (a phrase inside a short text is a
weaker match, and never when the text also says the opposite: "동의하지 않음", "Accept only
necessary"). The best match over all frames is clicked; for a refusal with no reject button in the
first layer, the settings layer is opened and searched, then saved when it has a save button.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from playwright.async_api import ElementHandle, Frame, Page
from playwright.async_api import Error as PlaywrightError

ACCEPT = (
    "모두 동의", "전체 동의", "모두 허용", "전체 허용", "동의합니다", "동의", "수락",
    "Accept all", "Accept all cookies", "Allow all", "Allow all cookies", "Accept", "I agree", "Agree",
    "全部接受", "全部同意", "同意", "接受",
)  # fmt: skip
"""Accept phrases, most specific first."""
REJECT = (
    "모두 거부", "전체 거부", "거부", "모두 거절", "거절",
    "Reject all", "Reject", "Decline all", "Decline", "Refuse all", "Refuse",
    "全部拒绝", "拒绝",
)  # fmt: skip
"""Reject phrases, most specific first."""
SETTINGS = ("설정", "쿠키 설정", "Settings", "Cookie settings", "Manage", "Customize", "设置", "管理")
"""Phrases of the button that opens a banner's second layer."""
SAVE = ("설정 저장", "선택 저장", "저장", "Save settings", "Save", "Confirm my choices", "保存")
"""Phrases of the second layer's save button."""

# A text that also says one of these is not the button we look for ("동의하지 않음" holds "동의").
_NOT_ACCEPT = (
    "않", "안함", "안 함", "비동의", "미동의", "거부", "거절", "필수만", "only", "necessary", "essential",
    "reject", "decline", "refuse", "not ", "don't", "without", "不", "拒", "仅", "必要",
)  # fmt: skip
_NOT_REJECT = ("동의", "허용", "accept", "allow", "agree", "同意", "接受")

Role = Literal["accept", "reject", "settings", "save"]

_SCAN = """({phrases, avoid}) => {
  const norm = s => (s || "").replace(/\\s+/g, " ").trim().toLowerCase();
  const word = /[a-z0-9]/;
  const contains = (text, p) => {
    for (let i = text.indexOf(p); i >= 0; i = text.indexOf(p, i + 1)) {
      const before = text[i - 1], after = text[i + p.length];
      if (!(before && word.test(before)) && !(after && word.test(after))) return true;
    }
    return false;
  };
  const selector = 'button, a, [role="button"], [role="link"], input[type="button"], '
    + 'input[type="submit"], [onclick]';
  const found = [];
  const walk = root => {
    root.querySelectorAll(selector).forEach(el => found.push(el));
    root.querySelectorAll("*").forEach(el => { if (el.shadowRoot) walk(el.shadowRoot); });
  };
  walk(document);
  const visible = el => {
    const box = el.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) return false;
    return el.checkVisibility ? el.checkVisibility({opacityProperty: true, visibilityProperty: true}) : true;
  };
  let best = null;
  for (const el of found) {
    const shown = (el.innerText || el.value || el.getAttribute("aria-label") || el.title || "").trim();
    const text = norm(shown);
    if (!text || text.length > 60) continue;
    for (let i = 0; i < phrases.length; i++) {
      const exact = text === phrases[i];
      const partial = !exact && text.length <= 40 && contains(text, phrases[i])
        && !avoid.some(a => text.includes(a));
      if (!exact && !partial) continue;
      const rank = (exact ? 0 : 1000) + i;
      if ((best === null || rank < best.rank) && visible(el)) {
        best = {element: el, text: shown.slice(0, 200), phrase: phrases[i], exact, rank};
      }
      break;
    }
  }
  return best;
}"""


@dataclass(frozen=True, slots=True)
class Candidate:
    """The best matching control of one frame."""

    frame: Frame
    frame_index: int
    element: ElementHandle
    text: str
    phrase: str
    exact: bool
    rank: int

    def key(self) -> tuple[int, int]:
        """Whole-text matches first, then by phrase order, then the main frame before iframes."""
        return (self.rank, self.frame_index)


@dataclass(frozen=True, slots=True)
class Click:
    """One click of the fallback, as consent.json records it."""

    role: Role
    candidate: Candidate
    layer: int
    how: str
    went_away: bool
    time: str

    def as_json(self) -> dict[str, Any]:
        frame = self.candidate.frame
        return {
            "role": self.role,
            "text": self.candidate.text,
            "phrase": self.candidate.phrase,
            "whole_text_match": self.candidate.exact,
            "frame": frame.url,
            "frame_name": frame.name,
            "main_frame": frame.parent_frame is None,
            "layer": self.layer,
            "how": self.how,
            "went_away": self.went_away,
            "time": self.time,
        }


async def click_consent(page: Page, action: Literal["accept", "refuse"]) -> list[Click]:
    """Click the banner's accept or reject control; [] when there is none to click.

    The last click of a successful search is the one that expresses the choice (``accept``,
    ``reject`` or ``save``); a ``settings`` click alone means the second layer had no reject button.
    """
    if action == "accept":
        found = await best_control(page.frames, ACCEPT, _NOT_ACCEPT)
        return [await _click("accept", found, 1)] if found else []
    found = await best_control(page.frames, REJECT, _NOT_REJECT)
    if found:
        return [await _click("reject", found, 1)]
    settings = await best_control(page.frames, SETTINGS, ())
    if settings is None:
        return []
    clicks = [await _click("settings", settings, 1)]
    await asyncio.sleep(1.0)  # the second layer opens with an animation on many banners
    second = await best_control(page.frames, REJECT, _NOT_REJECT)
    if second is None:
        return clicks
    clicks.append(await _click("reject", second, 2))
    save = await best_control([second.frame], SAVE, _NOT_ACCEPT)
    if save is not None:
        clicks.append(await _click("save", save, 2))
    return clicks


async def offers_choice(page: Page, action: Literal["accept", "refuse"]) -> bool:
    """True when some frame of ``page`` shows a control the fallback would click first."""
    if action == "accept":
        return await best_control(page.frames, ACCEPT, _NOT_ACCEPT) is not None
    return await best_control(page.frames, REJECT + SETTINGS, _NOT_REJECT) is not None


def expressed(clicks: list[Click]) -> bool:
    """True when the clicks include the choice itself, not only the opening of a settings layer."""
    return any(click.role != "settings" for click in clicks)


async def best_control(
    frames: list[Frame], phrases: tuple[str, ...], avoid: tuple[str, ...]
) -> Candidate | None:
    """The best visible control over ``frames`` whose text matches one of ``phrases``."""
    wanted = {"phrases": [_normal(p) for p in phrases], "avoid": [_normal(a) for a in avoid]}
    found: list[Candidate] = []
    for index, frame in enumerate(frames):
        if frame.is_detached():
            continue
        try:
            candidate = await asyncio.wait_for(_scan(frame, index, wanted, phrases), 5.0)
        except (PlaywrightError, TimeoutError):
            continue  # a frame that navigates, or is too busy to answer, has no banner we can click
        if candidate is not None:
            found.append(candidate)
    return min(found, key=Candidate.key) if found else None


async def _scan(
    frame: Frame, index: int, wanted: dict[str, Any], phrases: tuple[str, ...]
) -> Candidate | None:
    handle = await frame.evaluate_handle(_SCAN, wanted)
    info = await handle.evaluate("b => b && {text: b.text, phrase: b.phrase, exact: b.exact, rank: b.rank}")
    if not info:
        return None
    element = (await handle.get_property("element")).as_element()
    if element is None:
        return None
    phrase = phrases[int(info["rank"]) % 1000]
    return Candidate(frame, index, element, str(info["text"]), phrase, bool(info["exact"]), int(info["rank"]))


async def _click(role: Role, candidate: Candidate, layer: int) -> Click:
    """Click like a user; an overlay in the way gets a forced click, then a dispatched event."""
    time = datetime.now(UTC).isoformat(timespec="milliseconds")
    how = "click"
    try:
        await candidate.element.click(timeout=3000)
    except PlaywrightError:
        how = "forced click"
        try:
            await candidate.element.click(timeout=2000, force=True)
        except PlaywrightError:
            how = "dispatched click event"
            await _quietly(candidate.element.dispatch_event("click"))
    await asyncio.sleep(0.5)  # banners close with a short animation
    try:
        went_away = not await candidate.element.is_visible()
    except PlaywrightError:
        went_away = True  # the page or frame was replaced: the banner is gone with it
    return Click(role, candidate, layer, how, went_away, time)


async def _quietly(action: Any) -> None:
    with contextlib.suppress(PlaywrightError):
        await action


def _normal(text: str) -> str:
    return " ".join(text.split()).lower()
