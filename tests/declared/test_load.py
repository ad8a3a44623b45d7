"""load_policy over the fixtures in tests/declared/data, the demo shop's policy, PDFs and bad input.

The PDFs are written here by a tiny writer (a few objects and an xref table), so no binary fixture
is committed and the text layer is known exactly.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

import privprobe.declared.policy.load as load_module
from privprobe.declared.policy import Document, load_policy
from privprobe.errors import InputError

DATA = Path(__file__).parent / "data"
FIXTURES = sorted(path for path in DATA.iterdir() if path.is_file() and not path.name.endswith(".json"))
DEMO = Path(__file__).parents[2] / "src/privprobe/capture/demo/site/privacy.html"


def expected(path: Path) -> dict[str, object]:
    return json.loads((DATA / f"{path.stem}.expected.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_type_encoding_and_language(path: Path) -> None:
    document = load_policy(path)
    want = expected(path)
    assert (document.media_type, document.encoding, document.language) == (
        want["media_type"], want["encoding"], want["language"],
    )  # fmt: skip
    assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert document.source_name == path.name


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_table_records(path: Path) -> None:
    document = load_policy(path)
    tables = [
        {"section": table.section, "transposed": table.transposed, "records": table.records()}
        for table in document.tables
    ]
    assert tables == expected(path)["tables"]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_cell_spans_point_at_the_cells(path: Path) -> None:
    document = load_policy(path)
    for table in document.tables:
        lines = len(table.header) if table.transposed else len(table.rows) + 1
        assert document.quote(table.span).count("\n") + 1 == lines
        for record, spans in zip(table.records(), table.record_spans(), strict=True):
            assert {name: document.quote(span) for name, span in spans.items()} == record


def test_transposed_table_gives_one_record_per_recipient() -> None:
    document = load_policy(DATA / "ko_shop.html")
    recipients = [
        record["이전받는 자"] for table in document.tables_in("제3조") for record in table.records()
    ]
    assert recipients == [
        "Amazon Web Services, Inc. (aws-korea-privacy@amazon.com)",
        "Zendesk, Inc. (privacy@zendesk.com)",
        "Cainiao Smart Logistics Network Ltd.",
        "Qxpress Pte. Ltd.",
    ]
    matrix = document.tables_in("제3조/다")[0]
    assert matrix.transposed and matrix.records()[1]["이전되는 국가"] == "싱가포르"


def test_page_furniture_is_dropped() -> None:
    document = load_policy(DATA / "ko_shop.html")
    for dropped in ("gtag", "베스트", "모두 허용", "사업자등록번호", "쿠키 설정", "font-weight"):
        assert dropped not in document.text
    assert document.text.startswith("한빛마켓 개인정보처리방침\n")


def test_html_details(tmp_path: Path) -> None:
    path = tmp_path / "policy.html"
    path.write_text(
        "<main><h2>제1조<br>(개인정보의 처리 목적)</h2><p hidden>숨김</p><p style='display: none'>숨김</p>"
        "<p>회사는 개인정보를 처리합니다.</p><table><caption>국외 이전 현황</caption>"
        "<tr><th>이전받는 자</th><th>국가</th></tr><tr><td>A<br>Inc.</td><td>미국</td></tr></table></main>",
        encoding="utf-8",
    )
    document = load_policy(path)
    assert document.text == (
        "제1조 (개인정보의 처리 목적)\n회사는 개인정보를 처리합니다.\n국외 이전 현황\n이전받는 자 | 국가\nA Inc. | 미국"
    )
    assert document.tables[0].records() == [{"이전받는 자": "A Inc.", "국가": "미국"}]
    assert document.tables[0].section == "제1조"


def test_demo_shop_policy_overseas_transfer_table() -> None:
    document = load_policy(DEMO)
    assert document.language == "ko"
    assert document.section("제7조").title == "개인정보의 국외 이전"
    (table,) = document.tables_in("제7조")
    recipients = [record["이전받는 자(연락처)"] for record in table.records()]
    assert recipients[0].startswith("Google LLC")
    assert "Alibaba Cloud (Singapore) Private Limited" in recipients


def test_capture_bundle_folder(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle-1"
    (bundle / "policy").mkdir(parents=True)
    shutil.copy(DEMO, bundle / "policy" / "policy.html")
    document = load_policy(bundle)
    assert document.source_name == "bundle-1/policy/policy.html"
    assert document == Document(**{**document.__dict__})  # frozen, comparable


@pytest.mark.parametrize(
    ("codec", "declare"),
    [("euc-kr", True), ("cp949", False), ("gb18030", False), ("utf-8-sig", False)],
)
def test_encodings(tmp_path: Path, codec: str, declare: bool) -> None:
    body = "<h2>제1조(개인정보의 처리 목적)</h2><p>회사는 개인정보를 처리합니다. 똠방각하</p>"
    if codec == "gb18030":
        body = "<h2>第一条 我们收集的个人信息</h2><p>我们收集您的姓名。</p>"
    meta = f'<meta charset="{codec}">' if declare else ""
    path = tmp_path / "policy.html"
    path.write_bytes(f"<html><head>{meta}</head><body>{body}</body></html>".encode(codec))
    document = load_policy(path)
    assert document.encoding == codec
    assert document.sections[0].title in body
    assert (f"decoded as {codec}" in document.notes) == (codec not in ("utf-8", "utf-8-sig"))


def test_caller_language_wins(tmp_path: Path) -> None:
    assert load_policy(DATA / "zh_en_mixed.html", lang="zh").language == "zh"


def pdf(pages: list[list[str]]) -> bytes:
    """A minimal PDF: one Helvetica text line per string, or no text layer at all for []."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for lines in pages:
        ops = [b"BT /F1 12 Tf 72 720 Td"]
        for line in lines:
            ops.append(b"(" + line.encode("latin-1") + b") Tj 0 -16 Td")
        ops.append(b"ET" if lines else b"0 0 100 100 re f")
        stream = b"\n".join(ops if lines else ops[-1:])
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
        page += b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
        objects.append(page % len(objects))
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def test_pdf_with_a_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "policy.pdf"
    page = ["Acme Privacy Policy", "1. Information We Collect", "We collect your personal information."]
    path.write_bytes(pdf([[*page, "Page 1"], ["2. Your Rights", "You may ask for a copy.", "Page 2"]]))
    document = load_policy(path)
    assert document.media_type == "application/pdf" and document.encoding is None
    assert [s.anchor for s in document.sections] == ["1", "2"]
    assert document.quote(document.section("1").heading) == "1. Information We Collect"
    assert "Page 1" not in document.text
    assert any("page numbers" in note for note in document.notes)


def test_scanned_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf([[], []]))
    with pytest.raises(InputError, match=r"scan\.pdf: scanned PDF without a text layer: run OCR first"):
        load_policy(path)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t\n", "empty file"),
        (b"<html><body><script>x()</script></body></html>", "no readable text"),
        ("<h1>오늘의 특가</h1><p>모든 상품 50% 할인</p>".encode(), "does not look like a privacy policy"),
        (b"Terms of Service\n1. You agree to these terms.", "does not look like a privacy policy"),
        (b"%PDF-1.4\nthis is not really a PDF", "cannot read the PDF|scanned PDF"),
    ],
)
def test_bad_input(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.html"
    path.write_bytes(content)
    with pytest.raises(InputError, match=rf"^bad\.html: ({reason})"):
        load_policy(path)


def test_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_module, "MAX_BYTES", 1024)
    path = tmp_path / "huge.txt"
    path.write_text("개인정보 처리방침\n" * 200, encoding="utf-8")
    with pytest.raises(InputError, match=r"huge\.txt: .* over the 0 MB limit|huge\.txt: .*limit"):
        load_policy(path)


def test_missing_file_and_folder_without_policy(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.html: no such file"):
        load_policy(tmp_path / "nope.html")
    with pytest.raises(InputError, match=r"policy/policy\.html"):
        load_policy(tmp_path)
