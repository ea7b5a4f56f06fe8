"""``paperdigest import``: a dump of several digests in, one valid file per paper out."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

from click.testing import CliRunner
from conftest import DATA, digest
from paperdigest.cli import main
from paperdigest.content.loader import load_site
from paperdigest.edit.importer import clean_body, split_dump

Make = Callable[[Mapping[str, str | bytes]], Path]
DUMP = DATA / "import" / "dump.md"


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--root", str(root), "import", *args])
    return result.exit_code, result.stdout, result.stderr


def test_split_ignores_rules_inside_sections_and_code() -> None:
    chunks = split_dump(DUMP.read_text(encoding="utf-8"))
    assert [c.line for c in chunks] == [1, 53, 96]
    assert "上の区切り線は本文の一部。" in chunks[0].text


def test_import_writes_valid_digests(project: Make, tmp_path: Path) -> None:
    root = project({})
    dump = tmp_path / "dump.md"
    shutil.copy(DUMP, dump)
    code, out, err = run(root, str(dump))
    assert code == 1  # the third digest has no link
    assert out.splitlines() == [
        f"create: content/papers/2503.05179.md ({dump}:2)",
        f"create: content/papers/2503.04872.md ({dump}:55)",
        "2 new, 0 updated, 0 already there",
    ]
    assert err == (f"{dump}:97: this digest has no '[View Paper](https://arxiv.org/abs/<id>)' "
                   "link: add it and import again\n")
    site = load_site(root / "content", root=root)
    sot = next(p for p in site.papers if p.slug == "2503.05179")
    assert sot.arxiv.full == "2503.05179v1"
    assert sot.blurb == "推論を「スケッチ」で短く🧠 トークンを大幅削減 🇯🇵 #LLM #推論効率化"
    assert [site.tags[t].name for t in sot.tags] == ["LLM", "推論効率化"]
    assert "# ルーターの疑似コード" in sot.sections[4].body
    tiny = next(p for p in site.papers if p.slug == "2503.04872")
    assert tiny.blurb == "Branch-Merge蒸留で小型LLMの精度UP！ #LLM #蒸留"


def test_import_is_idempotent_and_never_overwrites(project: Make) -> None:
    root = project({})
    run(root, str(DUMP))
    target = root / "content/papers/2503.05179.md"
    edited = target.read_text(encoding="utf-8").replace(
        'tags: ["LLM", "推論効率化"]', 'tags: ["LLM", "推論効率化"]  # hand-edited')
    target.write_text(edited, encoding="utf-8")
    before = target.read_bytes()
    code, out, _ = run(root, str(DUMP))
    assert code == 1
    assert out.splitlines()[-1] == "0 new, 0 updated, 2 already there"
    assert "exists: content/papers/2503.05179.md" in out
    assert target.read_bytes() == before


def test_update_refreshes_body_and_keeps_front_matter(project: Make, tmp_path: Path) -> None:
    root = project({})
    run(root, str(DUMP))
    target = root / "content/papers/2503.05179.md"
    text = target.read_text(encoding="utf-8")
    front = text[: text.index("# Sketch")]
    edited_front = front.replace("tags:", "# chosen by hand\ntags:")
    target.write_text(edited_front + "# Sketch\n\nold body\n", encoding="utf-8")
    _, out, _ = run(root, "--update", str(DUMP))
    assert "update: content/papers/2503.05179.md" in out
    new = target.read_text(encoding="utf-8")
    assert new.startswith(edited_front)
    assert "上の区切り線は本文の一部。" in new


def test_dry_run_writes_nothing(project: Make) -> None:
    root = project({})
    _, out, _ = run(root, "--dry-run", str(DUMP))
    assert "would create: content/papers/2503.05179.md" in out
    assert out.splitlines()[-1] == "2 new, 0 updated, 0 already there (dry run: nothing written)"
    assert list((root / "content/papers").iterdir()) == []


def test_existing_paper_elsewhere_is_recognised(project: Make) -> None:
    root = project({"content/papers/2025/sot.md": digest("2503.05179")})
    _, out, _ = run(root, str(DUMP))
    assert "exists: content/papers/2025/sot.md" in out
    assert not (root / "content/papers/2503.05179.md").exists()


def test_invalid_digest_is_not_written(project: Make, tmp_path: Path) -> None:
    root = project({})
    dump = tmp_path / "long.md"
    body = split_dump(DUMP.read_text(encoding="utf-8"))[0].text
    dump.write_text(body.replace("トークンを大幅削減", "あ" * 130), encoding="utf-8")
    code, _, err = run(root, str(dump))
    assert code == 1
    assert err == (f"{dump}:2: section 8: 2503.05179: is 307 long as X counts it; the limit is "
                   "280 (140 full-width characters): shorten it by 27 (not imported)\n")
    assert not (root / "content/papers/2503.05179.md").exists()


def test_clean_body_drops_stray_fences_only() -> None:
    body = ("# T\n\n[View Paper](https://arxiv.org/abs/2503.05179)\n\n## 1. a\n\ntext\n\n```\n"
            "## 8. b\n\nx #y\n")
    cleaned = clean_body(body)
    assert "```" not in cleaned and cleaned.endswith("## 8. b\n\nx #y\n")
