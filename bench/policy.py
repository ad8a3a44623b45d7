"""Privacy-policy reading: precision and recall on the labelled policies, and seconds per policy.

    python bench/policy.py [--repeat 3]

Accuracy: every labelled policy of ``tests/declared/data/labelled`` is read and scored on
recipients (kind + organisation or name), countries and collected data items (see
``tests/declared/labels.py``). Speed: each labelled policy, then a ~100 KB Korean policy made by
repeating the sections of ``ko_market.html`` under new article numbers (real policies of large
platforms run to 60–150 KB), timed for loading alone and for load + extract + both checklists.
The first call pays for loading the vocabulary and Kiwi's model; it is reported apart.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.declared.labels import LABELLED, Score, labelled, load_labels, score  # noqa: E402

from privprobe.declared.policy import check, extract, load_policy  # noqa: E402
from privprobe.declared.policy.prose import _kiwi  # noqa: E402
from privprobe.declared.policy.vocabulary import load_vocabulary  # noqa: E402


def accuracy() -> dict[str, Score]:
    scores = {name: Score() for name in ("recipients", "countries", "data_items")}
    for path in labelled():
        labels = load_labels(path)
        reading = extract(load_policy(LABELLED / labels["file"], labels.get("language")))
        score(labels, reading, scores)
    return scores


def baseline() -> dict[str, Score]:
    """What a reader gets by searching the text for known names: every organisation of the table and
    every country named anywhere (kind-blind; unknown company names cannot be found this way)."""
    vocabulary = load_vocabulary()
    scores = {name: Score() for name in ("recipients (named orgs)", "countries")}
    for path in labelled():
        labels = load_labels(path)
        text = load_policy(LABELLED / labels["file"], labels.get("language")).text
        named = {e["organisation"] for e in labels["declarations"] if e.get("organisation")}
        found = {m.value for m in vocabulary.organisations_in(text)}
        scores["recipients (named orgs)"].add(named, found, labels["file"])
        countries = {c for e in labels["declarations"] for c in e.get("countries", ())}
        scores["countries"].add(countries, {m.value for m in vocabulary.countries_in(text)}, labels["file"])
    return scores


def extracted_orgs() -> Score:
    """privprobe on the same measure as the baseline: organisation ids of its declarations."""
    found = Score()
    for path in labelled():
        labels = load_labels(path)
        reading = extract(load_policy(LABELLED / labels["file"], labels.get("language")))
        named = {e["organisation"] for e in labels["declarations"] if e.get("organisation")}
        found.add(named, {d.organisation for d in reading.declarations if d.organisation}, labels["file"])
    return found


def big_policy(folder: Path, target: int = 100_000) -> Path:
    """ko_market.html with its articles repeated under new numbers until it is ``target`` bytes."""
    source = (LABELLED / "ko_market.html").read_text("utf-8")
    head, _, rest = source.partition("<h2")
    body, _, tail = ("<h2" + rest).rpartition("</body>")
    copies, number = [body], 100
    while len(head) + sum(len(c.encode()) for c in copies) < target:
        number += 20
        copies.append(re.sub(r"제\s*(\d+)\s*조", lambda m, n=number: f"제{n + int(m.group(1))}조", body))
    path = folder / "big_policy.html"
    path.write_text(head + "".join(copies) + "</body>" + tail, "utf-8")
    return path


def timed(path: Path, repeat: int) -> tuple[float, float]:
    loads, full = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        document = load_policy(path)
        loads.append(time.perf_counter() - started)
        check(extract(document))
        full.append(time.perf_counter() - started)
    return statistics.median(loads), statistics.median(full)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    load_vocabulary()
    _kiwi()
    print(f"first-use cost (vocabulary + Kiwi model): {time.perf_counter() - started:.2f} s")
    for name, found in accuracy().items():
        print(f"{name:11} precision {found.precision:6.1%}  recall {found.recall:6.1%}  "
              f"(tp {found.tp}, fp {found.fp}, fn {found.fn})")  # fmt: skip
        for miss in found.misses:
            print(f"    {miss}")
    print("baseline: names searched in the whole text (what grep with the same name lists gives)")
    for name, found in {**baseline(), "privprobe, same measure": extracted_orgs()}.items():
        print(f"  {name:24} precision {found.precision:6.1%}  recall {found.recall:6.1%}  "
              f"(tp {found.tp}, fp {found.fp}, fn {found.fn})")  # fmt: skip
    for path in labelled():
        policy = LABELLED / load_labels(path)["file"]
        load, full = timed(policy, args.repeat)
        print(
            f"{policy.name:22} {policy.stat().st_size / 1000:6.1f} KB  load {load:.3f} s  read+check {full:.3f} s"
        )
    with tempfile.TemporaryDirectory() as folder:
        big = big_policy(Path(folder))
        load, full = timed(big, args.repeat)
        print(f"{'100 KB policy':22} {big.stat().st_size / 1000:6.1f} KB  load {load:.3f} s  read+check {full:.3f} s"
              f"  (target < 2 s)")  # fmt: skip


if __name__ == "__main__":
    main()
