"""``paperdigest draft``: arXiv metadata and HTML and a model, all replayed offline.

The fake model is an OpenAI-compatible server behind ``httpx.MockTransport``: it records
every request and answers from a script, as server-sent events or as one JSON object.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from conftest import DATA
from fakeclock import Clock
from paperdigest.cli import main
from paperdigest.content import blurb as blurbs
from paperdigest.content.ids import parse_arxiv_id
from paperdigest.content.loader import check_digest, load_site
from paperdigest.content.model import SECTION_TITLES
from paperdigest.sources.http import Limits, Network, Timing, make_client

Make = Callable[[Mapping[str, str | bytes]], Path]

LLM = "http://llm.test/v1"
TODAY = dt.date(2026, 12, 2)
HTML = (DATA / "arxivhtml" / "2503.04504v1.html").read_text(encoding="utf-8")
FEED = (DATA / "arxiv" / "2503.04504.xml").read_text(encoding="utf-8")
TWEET = ("再学習なしで、テキストで指定した異常を動画から見つける AnyAnomaly。UBnormal で最高精度。"
         " #異常検知 #LVLM")
LONG_TWEET = "再学習なしで" + "、テキストで指定した異常を見つける" * 12 + "。 #異常検知"

BODY = """\
## 1. 既存研究では何ができなかったのか

- **環境ごとの再学習:** 既存の動画異常検知は環境ごとに正常パターンを学び直す必要があった。

## 2. どのようなアプローチでそれを解決しようとしたか

- **テキストで異常を指定:** 異常をテキストで与える C-VAD を提案し、視覚言語モデルで判定する。

## 3. 結果、何が達成できたのか

- **学習なしで最高精度:** UBnormal でフレーム単位 AUC 74.5%。

## 4. Limitationや問題点は何か

- **計算量:** フレームごとに視覚言語モデルを呼ぶため重い。

## 5. 技術的な詳細について

- **スコア:** $s_t = \\max_k \\mathrm{sim}(f(x_t), g(T_k))$ で異常度を求める。

## 6. コストや物理的な詳細について

- **計算資源:** NVIDIA RTX 3090 一枚で実験した。

## 7. 参考文献のうち、特に参照すべきもの

- **CLIP:** Radford et al., Learning transferable visual models, 2021。

## 8. この論文を140字以内のツイートで要約すると？

{tweet}
"""


def answer_text(tweet: str = TWEET, *, chatter: bool = True) -> str:
    """A model's answer as models write them: a preface, a fenced digest, a closing line."""
    digest = ("# AnyAnomaly: テキストで指定する動画異常検知\n\n"
              "[View Paper](https://arxiv.org/abs/2503.04504)\n\n" + BODY.replace("{tweet}", tweet))
    if not chatter:
        return digest
    return f"承知しました。以下が要約です。\n\n```markdown\n{digest}```\n\n以上です。\n"


def sse(text: str, usage: Mapping[str, int] | None = None) -> bytes:
    """``text`` as a Chat Completions stream, in pieces of 40 characters."""
    events = [{"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}]
    events += [{"choices": [{"index": 0, "delta": {"content": text[i:i + 40]}}]}
               for i in range(0, len(text), 40)]
    events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    if usage:
        events.append({"choices": [], "usage": dict(usage)})
    lines = [f"data: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events]
    return ("".join(lines) + ": keep-alive\n\ndata: [DONE]\n\n").encode("utf-8")


class FakeModel:
    """An OpenAI-compatible endpoint answering from a script; it keeps every request."""

    def __init__(self, *answers: str, stream: str = "sse",
                 usage: Mapping[str, int] | None = None) -> None:
        self.answers = list(answers)
        self.stream = stream
        """``sse``; ``json`` (ignores ``stream``); ``refuse`` (400 to a stream request)."""
        self.usage = usage or {"prompt_tokens": 3210, "completion_tokens": 850,
                               "total_tokens": 4060}
        self.requests: list[dict[str, Any]] = []
        self.headers: list[httpx.Headers] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/chat/completions"
        body = json.loads(request.content)
        if body.get("stream") and self.stream == "refuse":
            return httpx.Response(400, json={"error": {"message": "streaming not supported"}})
        self.requests.append(body)
        self.headers.append(request.headers)
        text = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if body.get("stream") and self.stream == "sse":
            return httpx.Response(200, content=sse(text, self.usage),
                                  headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json={
            "id": "x", "object": "chat.completion", "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": "stop"}], "usage": dict(self.usage)})


def arxiv_server(model: Callable[[httpx.Request], httpx.Response], *, html: bool = True
                 ) -> Callable[[httpx.Request], httpx.Response]:
    """arXiv's API and HTML pages (moved to the versioned address, as arXiv does), and the
    model at ``LLM``."""
    def answer(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url.startswith(LLM):
            return model(request)
        if request.url.host == "export.arxiv.org":
            return httpx.Response(200, text=FEED)
        if request.url.path == "/html/2503.04504v1" and html:
            return httpx.Response(200, text=HTML, headers={"content-type": "text/html"})
        if request.url.path.startswith("/html/2503.04504"):
            if not html:
                return httpx.Response(404, text="No HTML for '2503.04504'")
            return httpx.Response(301, headers={"location": "/html/2503.04504v1"})
        raise AssertionError(f"unexpected request {url}")

    return answer


def network(handler: Callable[[httpx.Request], httpx.Response],
            clock: Clock | None = None) -> Network:
    clock = clock or Clock()
    return Network(factory=functools.partial(make_client,
                                             transport=httpx.MockTransport(handler)),
                   timing=Timing(clock=clock, sleep=clock.sleep, today=lambda: TODAY),
                   limits=Limits())


@pytest.fixture(autouse=True)
def endpoint_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERDIGEST_LLM_BASE_URL", LLM)
    monkeypatch.setenv("PAPERDIGEST_LLM_MODEL", "qwen2.5:14b")
    for name in ("PAPERDIGEST_LLM_API_KEY", "PAPERDIGEST_ARXIV_HTML",
                 "PAPERDIGEST_PAPER_MAX_CHARS", "PAPERDIGEST_ARXIV_API"):
        monkeypatch.delenv(name, raising=False)


def run(root: Path, net: Network, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--root", str(root), "draft", *args],
                                obj={"network": net})
    assert not isinstance(result.exception, (AssertionError, TypeError, KeyError)), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


TARGET = "content/papers/2503.04504.md"


@pytest.mark.parametrize("stream", ["sse", "json", "refuse"])
def test_a_model_answer_becomes_a_draft_that_passes_check(project: Make, stream: str) -> None:
    root = project({})
    model = FakeModel(answer_text(), stream=stream)
    code, out, err = run(root, network(arxiv_server(model)), "2503.04504")
    assert code == 0, err
    assert out == (f"wrote {TARGET} (a draft by qwen2.5:14b from the full text): review it, "
                   "then remove 'draft: true'\n")
    assert f"{TARGET}: tokens: 3,210 prompt + 850 answer (1 request)" in err
    assert f"{TARGET}: read the full text (" in err
    if stream == "sse":  # the progress line of a streamed answer
        assert err.startswith("qwen2.5:14b: ") and " characters received\n" in err
    text = (root / TARGET).read_text(encoding="utf-8")
    head = text.split("\n---\n", 1)[0]
    assert 'title: "AnyAnomaly: Zero-Shot Customizable Video Anomaly Detection with LVLM"' in head
    assert '  - "Sunghyun Ahn"' in head and "date: 2025-03-06" in head
    assert 'tags: ["異常検知", "LVLM"]' in head
    assert "\nadded: 2026-12-02\n" in head  # written by the one front-matter writer
    assert head.endswith('draft: true\nprovenance:\n  model: "qwen2.5:14b"\n'
                         '  date: 2026-12-02\n  read: "full text"')
    body = text.split("\n---\n", 1)[1]
    assert body.startswith("\n# AnyAnomaly: Zero-Shot Customizable Video Anomaly Detection "
                           "with LVLM\n\n[View Paper](https://arxiv.org/abs/2503.04504v1)\n\n"
                           "## 1. ")
    assert "承知しました" not in text and "以上です" not in text and "```" not in text
    assert check_digest(text, TARGET)[1] == []
    # The check the command runs is the project's check too.
    result = CliRunner().invoke(main, ["--root", str(root), "check", TARGET])
    assert result.exit_code == 0, result.output
    # The prompt: the eight headings as check wants them, the tweet limits, the paper text.
    prompt = model.requests[0]["messages"][0]["content"]
    for number, heading in SECTION_TITLES.items():
        assert f"## {number}. {heading}\n" in prompt
    assert f"合計 {blurbs.SHARE_LIMIT} 以下" in prompt and f"{blurbs.LIMIT} から" in prompt
    assert "$$s_{t}=\\max_{k}\\,\\mathrm{sim}(f(x_{t}),g(T_{k}))$$ (1)" in prompt
    assert "SCRIPT TEXT" not in prompt and "MATHML" not in prompt
    assert model.requests[0]["model"] == "qwen2.5:14b"
    assert "authorization" not in model.headers[0]


def test_the_key_goes_as_a_bearer_token_and_model_overrides_the_env(
        project: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERDIGEST_LLM_API_KEY", "sk-test-123")
    root = project({})
    model = FakeModel(answer_text())
    code, _, err = run(root, network(arxiv_server(model)), "2503.04504", "--model", "gpt-x")
    assert code == 0, err
    assert model.headers[0]["authorization"] == "Bearer sk-test-123"
    assert model.requests[0]["model"] == "gpt-x"
    assert 'model: "gpt-x"' in (root / TARGET).read_text(encoding="utf-8")


def test_an_over_long_tweet_is_repaired_in_a_second_round(project: Make) -> None:
    root = project({})
    model = FakeModel(answer_text(LONG_TWEET), answer_text(TWEET))
    code, _, err = run(root, network(arxiv_server(model)), "2503.04504")
    assert code == 0, err
    assert f"{TARGET}: 1 problem sent back to the model (repair 1 of 2)" in err
    assert f"{TARGET}: tokens: 6,420 prompt + 1,700 answer (2 requests)" in err
    second = model.requests[1]["messages"]
    assert [m["role"] for m in second] == ["user", "assistant", "user"]
    assert second[1]["content"] == answer_text(LONG_TWEET)
    # The check's own words go back, with the line quoted.
    (message,) = blurbs.share_text_problems(LONG_TWEET)
    assert (f"- section 8: {message}（該当行: 「## 8. {SECTION_TITLES[8]}」）\n"
            in second[2]["content"])
    assert TWEET in (root / TARGET).read_text(encoding="utf-8")


def test_problems_left_after_two_repairs_are_written_and_listed(project: Make) -> None:
    root = project({})
    model = FakeModel(answer_text(LONG_TWEET))
    code, out, err = run(root, network(arxiv_server(model)), "2503.04504")
    assert code == 1
    assert len(model.requests) == 3
    assert out.startswith(f"wrote {TARGET}")
    text = (root / TARGET).read_text(encoding="utf-8")
    line = text.split("\n").index(LONG_TWEET) - 2 + 1  # the heading of section 8
    (message,) = blurbs.share_text_problems(LONG_TWEET)
    assert f"{TARGET}:{line}: section 8: {message}" in err.splitlines()


def test_missing_sections_are_sent_back(project: Make) -> None:
    root = project({})
    cut = answer_text(chatter=False).split("## 7.")[0]
    model = FakeModel(cut, answer_text())
    code, _, err = run(root, network(arxiv_server(model)), "2503.04504")
    assert code == 0, err
    repair = model.requests[1]["messages"][2]["content"]
    assert f"section 7: is missing: add '## 7. {SECTION_TITLES[7]}' and its text" in repair
    assert "section 8: is missing" in repair


def test_the_endpoint_down_is_a_message_within_seconds_and_no_file(project: Make) -> None:
    root = project({})

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    clock = Clock()
    code, out, err = run(root, network(arxiv_server(down), clock), "2503.04504")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"the model endpoint at {LLM}: attempt 1 of 3 failed ([Errno 111] Connection "
        "refused); trying again in 1 s",
        f"the model endpoint at {LLM}: attempt 2 of 3 failed ([Errno 111] Connection "
        "refused); trying again in 2 s",
        f"Error: could not reach the model endpoint at {LLM}: [Errno 111] Connection refused "
        "(3 attempts): start the server (e.g. `ollama serve`) or check "
        "PAPERDIGEST_LLM_BASE_URL"]
    assert clock.sleeps == [1.0, 2.0]  # then it gives up: three seconds of waiting
    assert not (root / TARGET).exists()
    assert list((root / "content/papers").iterdir()) == []


def test_no_endpoint_is_a_message_before_going_online(
        project: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAPERDIGEST_LLM_BASE_URL")
    root = project({})

    def offline(request: httpx.Request) -> httpx.Response:
        raise AssertionError("went online")

    code, _, err = run(root, network(offline), "2503.04504")
    assert code == 1
    assert err == ("Error: no model endpoint: set PAPERDIGEST_LLM_BASE_URL (e.g. "
                   "http://localhost:11434/v1 for Ollama) or llm_base_url in the paperdigest "
                   "block of mkdocs.yml\n")


def test_the_plugin_block_gives_defaults_and_the_env_wins(
        project: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAPERDIGEST_LLM_BASE_URL")
    monkeypatch.delenv("PAPERDIGEST_LLM_MODEL")
    root = project({})
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - paperdigest\n", f"  - paperdigest:\n      llm_base_url: {LLM}\n"
        "      llm_model: llama3.1:8b\n"), encoding="utf-8")
    model = FakeModel(answer_text())
    code, _, err = run(root, network(arxiv_server(model)), "2503.04504")
    assert code == 0, err
    assert model.requests[0]["model"] == "llama3.1:8b"
    monkeypatch.setenv("PAPERDIGEST_LLM_MODEL", "from-env")
    code, _, err = run(root, network(arxiv_server(model)), "2503.04504", "--dry-run",
                       "--update")
    assert code == 0, err
    assert model.requests[1]["model"] == "from-env"


def test_no_html_means_the_abstract_and_the_draft_says_so(project: Make) -> None:
    root = project({})
    model = FakeModel(answer_text())
    code, out, err = run(root, network(arxiv_server(model, html=False)), "2503.04504")
    assert code == 0, err
    assert f"{TARGET}: read the abstract only (arXiv has no HTML rendering of 2503.04504v1 " \
           "(HTTP 404))" in err
    assert "from the abstract" in out
    assert '  read: "abstract"' in (root / TARGET).read_text(encoding="utf-8")
    prompt = model.requests[0]["messages"][0]["content"]
    assert "以下は arXiv の要旨だけです" in prompt
    assert "keeps only the opening of the abstract." in prompt


def test_force_abstract_does_not_fetch_the_html(project: Make) -> None:
    root = project({})
    model = FakeModel(answer_text())
    seen: list[str] = []
    server = arxiv_server(model)

    def watch(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return server(request)

    code, _, err = run(root, network(watch), "2503.04504", "--force-abstract")
    assert code == 0, err
    assert not any(path.startswith("/html/") for path in seen)
    assert '  read: "abstract"' in (root / TARGET).read_text(encoding="utf-8")


def test_an_answer_without_a_digest_writes_nothing(project: Make) -> None:
    root = project({})
    model = FakeModel("申し訳ありませんが、この論文は読めませんでした。")
    code, _, err = run(root, network(arxiv_server(model)), "2503.04504")
    assert code == 1
    assert err.splitlines()[-1].startswith(f"Error: {TARGET}: the model's answer holds no "
                                           "digest ('# Title' and '## 1. …' to '## 8. …'); "
                                           "nothing written. It began: '申し訳ありません")
    assert not (root / TARGET).exists()


def test_never_overwrites_and_update_redrafts_a_draft_with_a_diff(project: Make) -> None:
    root = project({})
    model = FakeModel(answer_text())
    assert run(root, network(arxiv_server(model)), "2503.04504")[0] == 0
    path = root / TARGET
    first = path.read_text(encoding="utf-8")
    # A hand-written comment and tag stay through a redraft.
    edited = first.replace('tags: ["異常検知", "LVLM"]',
                           'tags: ["異常検知", "LVLM", "動画"]  # 動画 added by hand')
    path.write_text(edited, encoding="utf-8")

    def offline(request: httpx.Request) -> httpx.Response:
        raise AssertionError("went online")

    code, _, err = run(root, network(offline), "2503.04504")
    assert code == 1
    assert err == (f"Error: {TARGET}: already exists: edit it, or pass --update to redraft "
                   "it (a draft only; the diff is shown)\n")
    assert path.read_text(encoding="utf-8") == edited
    better = FakeModel(answer_text().replace("一枚で実験した", "一枚で学習と評価を行った"))
    code, out, err = run(root, network(arxiv_server(better)), "2503.04504", "--update",
                         "--model", "gpt-x")
    assert code == 0, err
    assert out.startswith(f"--- a/{TARGET}\n+++ b/{TARGET}\n")
    assert "-- **計算資源:** NVIDIA RTX 3090 一枚で実験した。" in out
    assert "+- **計算資源:** NVIDIA RTX 3090 一枚で学習と評価を行った。" in out
    assert '-  model: "qwen2.5:14b"' in out and "+  model: gpt-x" in out
    now = path.read_text(encoding="utf-8")
    assert 'tags: ["異常検知", "LVLM", "動画"]  # 動画 added by hand' in now
    assert "一枚で学習と評価を行った" in now


def test_update_never_replaces_a_reviewed_digest(project: Make) -> None:
    from conftest import digest

    root = project({TARGET: digest()})
    before = (root / TARGET).read_text(encoding="utf-8")
    model = FakeModel(answer_text())
    code, _, err = run(root, network(arxiv_server(model)), "2503.04504", "--update")
    assert code == 1
    assert err == (f"Error: {TARGET}: is not a draft (no 'draft: true'): a reviewed digest is "
                   "never replaced by a model's; add 'draft: true' first if you mean it\n")
    assert (root / TARGET).read_text(encoding="utf-8") == before


def test_dry_run_prints_the_file_and_writes_nothing(project: Make) -> None:
    root = project({})
    model = FakeModel(answer_text())
    code, out, err = run(root, network(arxiv_server(model)), "2503.04504", "--dry-run")
    assert code == 0, err
    assert out.startswith('---\narxiv: "2503.04504v1"\n')
    assert TWEET in out
    assert not (root / TARGET).exists()


def test_the_page_says_who_drafted_it_and_whether_it_was_reviewed(project: Make) -> None:
    from paperdigest.site.render import render_site
    from paperdigest.site.settings import default_project

    root = project({})
    model = FakeModel(answer_text())
    assert run(root, network(arxiv_server(model)), "2503.04504")[0] == 0
    content = root / "content"

    def page() -> str:
        site = load_site(content, root=root, include_drafts=True)
        pages = render_site(site, default_project(root), root / "site_templates")
        return next(text for uri, text in pages.items() if "2503.04504" in uri
                    and uri.startswith("papers/"))

    assert ("このダイジェストは qwen2.5:14b が論文の全文から下書きし（2026-12-02）、まだ人が確認"
            "していません。") in page()
    path = content / "papers" / "2503.04504.md"
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true\n", ""),
                    encoding="utf-8")
    assert ("このダイジェストは qwen2.5:14b が論文の全文から下書きし（2026-12-02）、人が確認して"
            "公開しました。") in page()


def test_wanted_drafts_the_newest_works_on_the_queue(project: Make) -> None:
    from conftest import digest
    from paperdigest.content.works import Work, WorksFile, dump_works

    def work(arxiv: str, day: str, title: str) -> Work:
        return Work(title=title, date=dt.date.fromisoformat(day), arxiv=parse_arxiv_id(arxiv))

    works = WorksFile.of("openalex", TODAY, [
        work("2503.04504", "2025-03-06", "AnyAnomaly"),        # newest without a digest
        work("2106.09685", "2021-06-17", "LoRA"),              # older: past the limit
        work("2504.00001", "2025-04-01", "Digested already"),  # has a digest
    ])
    root = project({
        "content/authors/ann-lee.yaml": "name: Ann Lee\n",
        "content/authors/ann-lee.works.json": dump_works(works),
        "content/papers/2504.00001.md": digest("2504.00001"),
    })
    model = FakeModel(answer_text())
    asked: list[str] = []
    server = arxiv_server(model)

    def watch(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return server(request)

    code, out, err = run(root, network(watch), "--wanted", "--limit", "1")
    assert code == 0, err
    assert out.splitlines() == [f"wrote {TARGET} (a draft by qwen2.5:14b from the full text): "
                                "review it, then remove 'draft: true'"]
    assert not (root / "content/papers/2106.09685.md").exists()
    # Drafted once, it is off the queue: the next run drafts the next work.
    model.answers = [answer_text().replace("2503.04504", "2106.09685")]
    lora = FEED.replace("2503.04504", "2106.09685")

    def older(request: httpx.Request) -> httpx.Response:
        if str(request.url).startswith(LLM):
            return model(request)
        if request.url.host == "export.arxiv.org":
            return httpx.Response(200, text=lora)
        return httpx.Response(404)  # no HTML: the abstract

    code, out, err = run(root, network(older), "--wanted", "--limit", "5")
    assert code == 0, err
    assert out.splitlines() == ["wrote content/papers/2106.09685.md (a draft by qwen2.5:14b "
                                "from the abstract): review it, then remove 'draft: true'"]


def test_an_empty_queue_is_said_and_nothing_is_asked(project: Make) -> None:
    root = project({})

    def offline(request: httpx.Request) -> httpx.Response:
        raise AssertionError("went online")

    code, out, _ = run(root, network(offline), "--wanted")
    assert code == 0
    assert out == ("nothing on the digest-wanted queue: `paperdigest authors refresh` fills "
                   "it from the works of recorded authors\n")
    code, _, err = run(root, network(offline), "2503.04504", "--wanted")
    assert code == 1
    assert err == "Error: give PAPER (an arXiv id) or --wanted, not both\n"


@pytest.mark.parametrize(("block", "message"), [
    ('{model: m, date: 2026-12-02, read: "full text", by: me}',
     "unknown key 'by': a provenance block holds model, date, read"),
    ("{model: m, date: 2026-12-02}", "'read' is missing: a provenance block holds model, "
                                     "date, read"),
    ('{model: m, date: 2026-12-02, read: "the pdf"}',
     "read: 'the pdf' is not one of 'full text', 'abstract'"),
    ('{model: m, date: 2026-13-02, read: "abstract"}',
     "date: '2026-13-02' is not a real date: write it as YYYY-MM-DD"),
    ('{model: "<b>m</b>", date: 2026-12-02, read: "abstract"}',
     "model: '<b>m</b>' contains '<': names and titles are plain text; leave out <, > and "
     "backticks (write ＜ ＞ if needed)"),
    ("gpt-4o", "expected a mapping of model, date, read, got 'gpt-4o': write each key on its "
               "own indented line"),
])
def test_a_wrong_provenance_block_is_a_problem_on_its_line(block: str, message: str) -> None:
    from conftest import digest

    text = digest(front=f"arxiv: \"2503.04504\"\ndraft: true\nprovenance: {block}\n")
    problems = check_digest(text, "p.md")[1]
    assert [(p.line, p.field, p.message) for p in problems] == [(4, "provenance", message)]


@pytest.mark.slow
def test_a_strict_build_shows_the_provenance_line(project: Make, tmp_path: Path) -> None:
    from test_site_build import build

    root = project({})
    model = FakeModel(answer_text())
    assert run(root, network(arxiv_server(model)), "2503.04504")[0] == 0
    path = root / TARGET
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true\n", ""),
                    encoding="utf-8")
    built = build(root / "mkdocs.yml", tmp_path / "site")
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "site/papers/2503.04504/index.html").read_text(encoding="utf-8")
    assert ('<p class="pd-provenance pd-card__meta">このダイジェストは qwen2.5:14b が論文の全文から'
            "下書きし（2026-12-02）、人が確認して公開しました。</p>") in page


def test_a_risky_attribute_list_is_sent_back(project: Make) -> None:
    root = project({})
    line = "- **学習なしで最高精度:** UBnormal でフレーム単位 AUC 74.5%。"
    risky = answer_text().replace(line, line + '{: onclick="alert(1)" }')
    model = FakeModel(risky, answer_text())
    code, _, err = run(root, network(arxiv_server(model)), "2503.04504")
    assert code == 0, err
    written = (root / TARGET).read_text(encoding="utf-8")
    assert "onclick" not in written
    (problem,) = check_digest(written.replace(line, line + '{: onclick="alert(1)" }'),
                              TARGET)[1]
    repair = model.requests[1]["messages"][2]["content"]
    assert f"- {problem.message}（該当行: 「{line}{{: onclick=" in repair


def test_a_digest_kept_elsewhere_is_found_and_not_doubled(project: Make) -> None:
    from conftest import digest

    root = project({"content/papers/2025/anyanomaly.md": digest()})

    def offline(request: httpx.Request) -> httpx.Response:
        raise AssertionError("went online")

    code, _, err = run(root, network(offline), "2503.04504")
    assert code == 1
    assert err == ("Error: content/papers/2025/anyanomaly.md: already exists: edit it, or pass "
                   "--update to redraft it (a draft only; the diff is shown)\n")
    assert not (root / TARGET).exists()


def test_an_endless_answer_is_refused_and_not_sent_back(project: Make) -> None:
    root = project({})
    endless = answer_text() + "続き。" * 100_000
    model = FakeModel(endless)
    code, _, err = run(root, network(arxiv_server(model)), "2503.04504")
    assert code == 1 and len(model.requests) == 1
    size = len(endless.encode("utf-8"))
    assert err.splitlines()[-1] == (f"Error: {TARGET}: the model answered {size:,} bytes, more "
                                    "than a digest may hold (262,144); nothing written: try "
                                    "again, or another model")
    assert not (root / TARGET).exists()


def test_wanted_asks_arxiv_once_for_all_the_metadata(project: Make) -> None:
    from paperdigest.content.works import Work, WorksFile, dump_works

    works = WorksFile.of("openalex", TODAY, [
        Work(title="AnyAnomaly", date=dt.date(2025, 3, 6), arxiv=parse_arxiv_id("2503.04504")),
        Work(title="Large N", date=dt.date(1997, 11, 27),
             arxiv=parse_arxiv_id("hep-th/9711200"))])
    root = project({"content/authors/ann-lee.yaml": "name: Ann Lee\n",
                    "content/authors/ann-lee.works.json": dump_works(works)})
    batch = (DATA / "arxiv" / "batch.xml").read_text(encoding="utf-8")
    model = FakeModel(answer_text())
    api: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if str(request.url).startswith(LLM):
            return model(request)
        if request.url.host == "export.arxiv.org":
            api.append(request.url.params["id_list"])
            return httpx.Response(200, text=batch)
        if request.url.path == "/html/2503.04504v1":
            return httpx.Response(200, text=HTML)
        return httpx.Response(404)

    code, out, err = run(root, network(answer), "--wanted")
    assert code == 0, err
    assert api == ["2503.04504,hep-th/9711200"]
    assert out.splitlines() == [
        f"wrote {TARGET} (a draft by qwen2.5:14b from the full text): review it, then "
        "remove 'draft: true'",
        "wrote content/papers/hep-th/9711200.md (a draft by qwen2.5:14b from the abstract): "
        "review it, then remove 'draft: true'"]
    assert len(model.requests) == 2
