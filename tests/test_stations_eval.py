"""The evaluation set: realistic sentences and table rows, each labelled with its (station, line) set.

Precision and recall over (text, station, line) triples must both be at least 0.95. A station reported
without a line (several candidate lines, none named) is labelled ``Name|?``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tenderscan.stations import extract

EVAL = Path(__file__).parent / "data" / "stations_eval.tsv"


def load_cases() -> list[tuple[str, set[tuple[str, str]]]]:
    cases = []
    for line in EVAL.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, _, labels = line.rpartition("\t")
        expected = set()
        for pair in filter(None, labels.split(";")):
            name, _, ln = pair.partition("|")
            expected.add((name, ln))
        cases.append((text, expected))
    return cases


def found(text: str) -> set[tuple[str, str]]:
    return {(s.name, s.line or "?") for s in extract(text)}


def test_eval_set_is_large_enough():
    cases = load_cases()
    assert len(cases) >= 150
    assert sum(1 for _, exp in cases if not exp) >= 40


def test_precision_and_recall():
    tp = fp = fn = 0
    misses = []
    for text, expected in load_cases():
        got = found(text)
        tp += len(got & expected)
        fp += len(got - expected)
        fn += len(expected - got)
        if got != expected:
            misses.append(f"{text!r}: expected {sorted(expected)}, got {sorted(got)}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    report = f"precision {precision:.3f}, recall {recall:.3f}\n" + "\n".join(misses)
    assert precision >= 0.95, report
    assert recall >= 0.95, report


@pytest.mark.parametrize("text", [t for t, exp in load_cases() if not exp][:50])
def test_negatives_find_nothing(text):
    assert found(text) == set()
