"""Measure the Pagefind search at N synthetic papers: index size and bytes per query.

    .venv/bin/python bench/measure_search.py 1000 10000

For each N: writes a synthetic project (``bench/make_corpus.py`` when present, else the small
generator below), runs a real ``mkdocs build``, then drives Chromium through Playwright:
opens the home page, opens search, types a query and sums the bytes of every ``pagefind/``
response. Prints one JSON line per (N, query).
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
JA_WORDS = ("手法", "提案", "実験", "精度", "学習", "推論", "モデル", "データ", "評価", "改善",
            "計算", "効率", "大規模", "言語", "画像", "生成", "性能", "比較", "既存", "課題",
            "構造", "最適化", "表現", "事前学習", "微調整", "汎化", "頑健性", "注意機構",
            "報酬", "探索", "近似", "誤差", "分布", "損失", "勾配", "推定", "圧縮", "蒸留")
EN_WORDS = ("transformer", "diffusion", "attention", "benchmark", "retrieval", "agent",
            "scaling", "token", "encoder", "decoder", "policy", "reward", "graph", "kernel",
            "sparse", "quantization", "latent", "contrastive", "alignment", "reasoning")
SECTIONS = ("既存研究では何ができなかったのか", "どのようなアプローチでそれを解決しようとしたか",
            "結果、何が達成できたのか", "Limitationや問題点は何か", "技術的な詳細について",
            "コストや物理的な詳細について", "参考文献のうち、特に参照すべきもの",
            "この論文を140字以内のツイートで要約すると？")
# Planted in exactly one paper each, so a query for them has one right answer.
NEEDLES = {"ja": ("超伝導量子回路", 7), "en": ("Hyperlattice", 11)}


def sentence(rng: random.Random) -> str:
    parts = [rng.choice(JA_WORDS) + rng.choice(("を", "の", "が", "で", "に"))
             for _ in range(rng.randint(4, 8))]
    parts.insert(rng.randint(0, len(parts)), rng.choice(EN_WORDS) + " ")
    return "".join(parts) + rng.choice(("した。", "する。", "できる。", "である。"))


def make_corpus(root: Path, n: int, seed: int = 1) -> None:
    """A synthetic content tree: n digests (~8 KB each), 2n/5 authors, 300 tags."""
    rng = random.Random(seed)
    papers = root / "content" / "papers"
    papers.mkdir(parents=True)
    (root / "content" / "authors").mkdir()
    (root / "content" / "pages").mkdir()
    (root / "content" / "pages" / "about.md").write_text("# About\n\n合成データ。\n")
    authors = [f"Author{i:05d} Synth" for i in range(max(5, 2 * n // 5))]
    tags = [f"tag{i:03d}" for i in range(300)]
    cats = ("cs.CL", "cs.CV", "cs.LG", "cs.AI", "stat.ML", "cs.RO", "quant-ph", "hep-th")
    for i in range(n):
        yy, mm = 21 + i % 5, 1 + (i // 5) % 12
        arxiv = f"{yy:02d}{mm:02d}.{10000 + i:05d}"
        title = f"{rng.choice(EN_WORDS).title()} {rng.choice(EN_WORDS).title()} Study {i}"
        body = []
        for number, heading in enumerate(SECTIONS, start=1):
            if number == 8:
                text = f"{rng.choice(JA_WORDS)}で{rng.choice(JA_WORDS)}を改善 #{rng.choice(tags)}"
            else:
                text = "".join(sentence(rng) for _ in range(12))
            for lang, (word, owner) in NEEDLES.items():
                if i == owner and number == 3:
                    text += f" {word}を用いた。" if lang == "ja" else f" The {word} method."
            body.append(f"## {number}. {heading}\n\n{text}\n")
        names = rng.sample(authors, rng.randint(1, 4))
        front = (f"---\narxiv: \"{arxiv}\"\ntitle: \"{title}\"\nauthors: {json.dumps(names)}\n"
                 f"date: 20{yy:02d}-{mm:02d}-{1 + i % 28:02d}\ncategory: {rng.choice(cats)}\n"
                 f"tags: {json.dumps(rng.sample(tags, 2))}\n---\n\n")
        text = (f"{front}# {title}\n\n[View Paper](https://arxiv.org/abs/{arxiv})\n\n"
                + "\n".join(body))
        (papers / f"{arxiv}.md").write_text(text, encoding="utf-8")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    shutil.copytree(REPO / "site_templates", root / "site_templates")


def build(root: Path) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(root / "site")],
                   cwd=root, env=env, check=True)
    return time.monotonic() - start


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def measure(site: Path, query: str) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fetched: dict[str, int] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"))
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/")

            def seen(response: object) -> None:
                url = response.url  # type: ignore[attr-defined]
                if "/pagefind/" in url:
                    fetched[url.split("/pagefind/")[1]] = len(response.body())  # type: ignore[attr-defined]

            page.on("response", seen)
            page.click("[data-pd-search-open]")
            page.wait_for_selector("#pd-search input")
            page.fill("#pd-search input", query)
            page.wait_for_selector(".pagefind-ui__result-link", timeout=30000)
            page.wait_for_load_state("networkidle")
            links = page.eval_on_selector_all(".pagefind-ui__result-link",
                                              "els => els.map(e => e.getAttribute('href'))")
            browser.close()
    finally:
        server.shutdown()
    ui = sum(v for k, v in fetched.items() if k.startswith("pagefind-ui"))
    # What a server with gzip on (GitHub Pages, Netlify, nginx defaults) would send.
    gzipped = sum(len(gzip.compress((site / "pagefind" / k.split("?")[0]).read_bytes()))
                  for k in fetched)
    total = sum(fetched.values())
    return {"query": query, "bytes": total, "bytes_gzip": gzipped, "bytes_without_ui": total - ui,
            "requests": len(fetched), "first": links[0] if links else None,
            "results_shown": len(links), "files": sorted(fetched)}


def main(sizes: list[int]) -> None:
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            make_corpus(root, n)
            seconds = build(root)
            bundle = root / "site" / "pagefind"
            files = [f for f in bundle.rglob("*") if f.is_file()]
            print(json.dumps({"papers": n, "build_s": round(seconds, 1), "bundle_files": len(files),
                              "bundle_bytes": sum(f.stat().st_size for f in files),
                              "index_bytes": sum(f.stat().st_size for f in files
                                                 if f.suffix in (".pf_index", ".pf_meta"))}),
                  flush=True)
            for lang, (word, owner) in NEEDLES.items():
                result = measure(root / "site", word)
                yymm = f"{21 + owner % 5:02d}{1 + (owner // 5) % 12:02d}"
                result["expected"] = f"/papers/{yymm}.{10000 + owner:05d}/"
                result["lang"] = lang
                print(json.dumps({"papers": n, **result}), flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000])
