"""The thread kit: posts built from the blurbs and the page link, counted as X counts them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, digest, write_tree
from paperdigest.cli import main
from paperdigest.content.blurb import weighted_length
from paperdigest.content.loader import load_site
from paperdigest.content.model import Paper
from paperdigest.site import thread as threads

DATA = Path(__file__).parent / "data" / "twitter_text"
URL = "https://digests.paperdigest.dev/papers/2503.04504/"


def conformance() -> list[Any]:
    tests = yaml.safe_load((DATA / "validate_v3.yml").read_text(encoding="utf-8"))["tests"]
    return [pytest.param(case, id=f"{group}: {case['description']}")
            for group, cases in sorted(tests.items()) for case in cases]


@pytest.fixture(scope="module")
def paper() -> Paper:
    site = load_site(REPO / "content", root=REPO)
    return next(p for p in site.papers if p.arxiv.base == "2503.04504")


@pytest.mark.parametrize("case", conformance())
def test_posts_count_as_the_conformance_suite(case: dict[str, Any], paper: Paper) -> None:
    expected = case["expected"]
    kit = threads.thread(replace(paper, blurb=case["text"], blurb_en=None), URL)
    first = kit.posts[0]
    if expected["weightedLength"] <= 280:
        assert first.text == case["text"]
        assert first.weighted_length == expected["weightedLength"]
    else:  # too long for one post: shortened to fit, with the ellipsis
        assert first.text.endswith("…") and first.weighted_length <= 280
    assert (threads.problems(kit) == []) is (expected["valid"] or ("\ufffe" not in first.text
                                             and "\ufeff" not in first.text
                                             and "\uffff" not in first.text))


def test_thread_of_a_paper(paper: Paper) -> None:
    kit = threads.thread(replace(paper, blurb_en="Zero-shot anomaly detection #VLM"), URL)
    assert [p.text for p in kit.posts] == [
        paper.blurb,
        "Zero-shot anomaly detection #VLM",
        f"{paper.title}\n解説: {URL}",
        "arXiv: https://arxiv.org/abs/2503.04504v1",
    ]
    assert [p.weighted_length for p in kit.posts] == [194, 32, 98, 30]
    assert [p.weighted_length for p in kit.posts] == [weighted_length(p.text) for p in kit.posts]
    assert kit.text == "\n\n---\n\n".join(p.text for p in kit.posts)
    assert parse_qs(urlsplit(kit.intent).query) == {"text": [paper.blurb]}
    assert threads.problems(kit) == []


def test_without_an_english_blurb_there_are_three_posts(paper: Paper) -> None:
    kit = threads.thread(replace(paper, blurb_en=None), URL)
    assert len(kit.posts) == 3 and kit.posts[1].text.endswith(URL)


def test_a_long_title_is_shortened_and_the_link_kept(paper: Paper) -> None:
    kit = threads.thread(replace(paper, title="長い題" * 200), URL)
    reply = kit.posts[-2]
    assert reply.weighted_length <= 280
    assert reply.text.endswith(f"…\n解説: {URL}")
    assert reply.text.startswith("長い題長い題")
    assert weighted_length(reply.text) == reply.weighted_length
    assert weighted_length("長" + reply.text) > 280  # nothing more would have fitted


def test_fit_never_splits_a_combining_sequence() -> None:
    text = "か\u3099" * 200  # が as two code points: weight 2 once NFC-normalised
    fitted = threads.fit(text)
    assert fitted == "か\u3099" * 139 + "…"
    assert weighted_length(fitted) <= 280


# --- the command -------------------------------------------------------------------------------
def make_project(root: Path) -> None:
    write_tree(root, {"content/papers/a.md": digest(), "content/pages/about.md": "# About\n"})


def test_blurb_thread_command(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "blurb", "--thread",
                                       "2503.04504"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "[1/3] 40 / 280\n再学習なしで異常検知 #異常検知 #ZeroShot\n\n"
        "[2/3] 40 / 280\nAnyAnomaly\n解説: https://example.org/papers/2503.04504/\n\n"
        "[3/3] 30 / 280\narXiv: https://arxiv.org/abs/2503.04504v1\n")


def test_blurb_thread_json(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "blurb", "--thread",
                                       "arXiv:2503.04504v1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["paper"] == "2503.04504" and data["ok"] is True
    assert data["url"] == "https://example.org/papers/2503.04504/"
    assert [p["weighted_length"] for p in data["posts"]] == [40, 40, 30]
    assert data["posts"][0]["text"] == "再学習なしで異常検知 #異常検知 #ZeroShot"


def test_blurb_thread_of_an_unknown_paper(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "blurb", "--thread",
                                       "2401.00001"])
    assert result.exit_code == 1
    assert result.stderr == ("Error: no digest of arXiv:2401.00001 in content/papers: write one "
                             "with `paperdigest new 2401.00001`\n")


def test_blurb_text_is_unchanged() -> None:
    result = CliRunner().invoke(main, ["blurb", "AnyAnomaly"])
    assert (result.exit_code, result.stdout) == (
        0, "10 / 280 as X counts it (246 left with the page link attached)\n")
    both = CliRunner().invoke(main, ["blurb", "x", "--thread", "2503.04504"])
    assert both.exit_code == 2 and "give TEXT or --thread ID, not both" in both.stderr
