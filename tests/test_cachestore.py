"""The cache folder is an untrusted input: signed entries, safe reads, safe folders, cleanup
of its own files only; gate verdicts and search bundles kept by the bytes they judged."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from paperdigest.site import cachestore, fingerprint, gate, pagecache, search
from paperdigest.site.cachestore import Store

KEY = "ab" + "0" * 62
SECRET = b"0" * 64


def _store(tmp_path: Path) -> Store:
    return Store(tmp_path / "pages", SECRET, ".page")


def test_the_secret_lives_in_the_user_cache_folder_readable_by_the_user_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(cachestore, "_SECRETS", {})
    secret = cachestore.machine_secret()
    path = tmp_path / "user-cache" / "paperdigest" / "key"
    assert secret is not None and path.read_bytes() == secret and len(secret) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    monkeypatch.setattr(cachestore, "_SECRETS", {})
    assert cachestore.machine_secret() == secret  # read back, not made again


def test_an_entry_round_trips_and_another_secret_does_not_read_it(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.store(KEY, b'{"html": "<p>x</p>"}')
    assert store.load(KEY) == b'{"html": "<p>x</p>"}'
    assert Store(store.folder, b"1" * 64, ".page").load(KEY) is None
    # An entry moved to another key's name is not that key's entry.
    other = "ab" + "1" * 62
    store.path(KEY).rename(store.path(other))
    assert store.load(other) is None


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_edit_of_an_entry_makes_it_a_miss(tmp_path_factory: pytest.TempPathFactory,
                                              data: st.DataObject) -> None:
    store = _store(tmp_path_factory.mktemp("store"))
    body = data.draw(st.binary(min_size=0, max_size=300))
    store.store(KEY, body)
    raw = store.path(KEY).read_bytes()
    edit = data.draw(st.sampled_from(["flip", "truncate", "append", "replace"]))
    if edit == "flip":
        at = data.draw(st.integers(0, len(raw) - 1))
        bit = data.draw(st.integers(0, 7))
        changed = raw[:at] + bytes([raw[at] ^ (1 << bit)]) + raw[at + 1:]
    elif edit == "truncate":
        changed = raw[:data.draw(st.integers(0, len(raw) - 1))]
    elif edit == "append":
        changed = raw + data.draw(st.binary(min_size=1, max_size=20))
    else:
        header_end = raw.index(b"\n") + 1
        changed = raw[:header_end] + data.draw(st.binary(max_size=300).filter(
            lambda b: b != body))
    store.path(KEY).write_bytes(changed)
    assert store.load(KEY) is None


def _with_deadline(call: object, seconds: float = 10.0) -> object:
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)  # type: ignore[operator]
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "reading the cache hung"
    return result[0]


def test_a_fifo_a_link_or_a_huge_file_as_entry_is_a_miss_and_does_not_hang(
        tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.path(KEY).parent.mkdir(parents=True)
    os.mkfifo(store.path(KEY))
    assert _with_deadline(lambda: store.load(KEY)) is None
    store.path(KEY).unlink()
    target = tmp_path / "secret.txt"
    target.write_text("not an entry", encoding="utf-8")
    store.path(KEY).symlink_to(target)
    assert store.load(KEY) is None
    store.path(KEY).unlink()
    small = Store(store.folder, SECRET, ".page", limit=1000)
    small.store(KEY, b"x" * 2000)
    assert not store.path(KEY).exists()
    store.store(KEY, b"x" * 2000)
    assert small.load(KEY) is None and store.load(KEY) == b"x" * 2000


def test_a_signed_entry_of_deeply_nested_json_is_a_miss_not_a_crash(tmp_path: Path) -> None:
    from mkdocs.config import load_config
    from paperdigest.site.rendercache import FORMAT, PageCache

    store = _store(tmp_path)
    cache = PageCache(store, load_config(str(REPO / "mkdocs.yml")))
    store.store(KEY, b"[" * 200_000)
    assert cache.load(KEY) is None
    store.store(KEY, b'{"format": %d, "content": 1}' % FORMAT)
    assert cache.load(KEY) is not None  # the shape is checked when restored


def test_a_folder_through_a_link_or_outside_the_project_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    (root / ".cache" / "paperdigest").mkdir(parents=True)
    assert cachestore.safe_folder(root / ".cache/paperdigest", root) == root / ".cache/paperdigest"
    (root / ".cache/paperdigest/pages").symlink_to("../../content")
    with pytest.raises(cachestore.UnsafeCacheFolder, match="pages is a symbolic link: delete"):
        cachestore.open_folder(root / ".cache/paperdigest", root)
    with pytest.raises(cachestore.UnsafeCacheFolder, match="outside the project"):
        cachestore.safe_folder(tmp_path / "elsewhere", root)
    (root / "linked").symlink_to(root / "content")
    with pytest.raises(cachestore.UnsafeCacheFolder, match="linked is a symbolic link"):
        cachestore.safe_folder(root / "linked" / "cache", root)


def test_cleanup_deletes_only_entries_it_wrote(tmp_path: Path) -> None:
    store = _store(tmp_path)
    keep, drop = "ab" + "1" * 62, "ab" + "2" * 62
    store.store(keep, b"kept")
    store.store(drop, b"dropped")
    foreign = [store.folder / "ab" / ("ab" + "3" * 62 + ".page"),  # right name, no header
               store.folder / "ab" / "notes.txt", store.folder / "readme"]
    for path in foreign:
        path.write_bytes(b"mine")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ("cd" + "4" * 62 + ".page")).write_bytes(cachestore.MAGIC + b"x")
    (store.folder / "cd").symlink_to(elsewhere)
    assert store.prune({keep}) == 1
    assert store.load(keep) == b"kept" and not store.path(drop).exists()
    assert all(path.read_bytes() == b"mine" for path in foreign)
    assert (elsewhere / ("cd" + "4" * 62 + ".page")).exists()


def test_every_library_that_shapes_a_page_is_in_the_key(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    assert {"nh3", "markdown", "pymdown-extensions", "mkdocs", "mkdocs-material"} <= set(
        fingerprint.PACKAGES)
    before = fingerprint.code_fingerprint()
    real = fingerprint.metadata.version

    def bumped(name: str) -> str:
        return "99.0" if name == "nh3" else real(name)

    fingerprint.code_fingerprint.cache_clear()
    monkeypatch.setattr(fingerprint.metadata, "version", bumped)
    try:
        assert fingerprint.code_fingerprint() != before
    finally:
        fingerprint.code_fingerprint.cache_clear()


# --- gate verdicts and search bundles ------------------------------------------------------------
def _site(tmp_path: Path, pages: dict[str, str]) -> Path:
    site = tmp_path / "site"
    for rel, text in pages.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    return site


def test_the_gate_scans_again_only_pages_whose_bytes_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _site(tmp_path, {"a/index.html": "<p>a</p>", "b/index.html": "<p>b</p>",
                            "c/index.html": "<p>c</p>"})
    policy = gate.ScriptPolicy(files=frozenset())
    verdicts = Store(tmp_path / "gate", SECRET, ".gate")
    scanned: list[str] = []
    real = gate.scan_page

    def counting(text: str, page: str, policy: gate.ScriptPolicy) -> list[gate.Finding]:
        scanned.append(page)
        return real(text, page, policy)

    monkeypatch.setattr(gate, "scan_page", counting)
    found, hashes = pagecache.scan_site(site, policy, verdicts, KEY, set())
    assert found == [] and len(scanned) == 3 and set(hashes) == {
        "a/index.html", "b/index.html", "c/index.html"}
    scanned.clear()
    (site / "b/index.html").write_text('<p>b</p><img src=x onerror="alert(1)">',
                                       encoding="utf-8")
    for _ in range(2):  # a page that fails is never remembered as passed
        found, _ = pagecache.scan_site(site, policy, verdicts, KEY, set())
        assert scanned == ["b/index.html"] and [f.path for f in found] == ["b/index.html"]
        scanned.clear()
    assert pagecache.scan_site(site, policy, verdicts, "cd" + "0" * 62, set())[0]  # another gate
    assert len(scanned) == 3


def test_a_search_bundle_comes_back_byte_for_byte_and_a_malformed_one_is_refused(
        tmp_path: Path) -> None:
    bundle = tmp_path / "built" / search.BUNDLE_DIR
    (bundle / "index").mkdir(parents=True)
    (bundle / "pagefind.js").write_bytes(b"export const x = 1;\n")
    (bundle / "index" / "en_1.pf_index").write_bytes(bytes(range(256)))
    packed = search._pack(bundle, pages=2)
    out = tmp_path / "again" / search.BUNDLE_DIR
    assert search._unpack(packed, out) == 2
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == {
        p.relative_to(bundle): p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
    evil = b'{"pages": 1, "files": [["../../escaped.js", 3]]}\nabc'
    assert search._unpack(evil, tmp_path / "evil" / search.BUNDLE_DIR) is None
    assert not (tmp_path / "escaped.js").exists()
    assert search._unpack(b"[" * 200_000, tmp_path / "deep") is None


# --- share cards ----------------------------------------------------------------------------------
def test_an_edited_linked_or_fifo_card_is_drawn_again_and_foreign_files_are_kept(
        tmp_path: Path) -> None:
    from paperdigest.site import cardbuild
    from paperdigest.site.cards import CardText

    card = CardText(site="paperdigest", label="2025-03-06", title="A title", body="要約。",
                    footer="")
    wanted = {"assets/cards/papers/a.png": card}
    folder = tmp_path / "cards"
    first = cardbuild.CardCache(folder, cardbuild.find_fonts(), SECRET)
    png = cardbuild.card_bytes(first.draw_all(wanted)["assets/cards/papers/a.png"])
    entry = folder / f"{first.key(card)}.png"
    stored = entry.read_bytes()
    assert stored.startswith(png)  # the PNG, then its tag

    def again() -> cardbuild.DrawStats:
        cache = cardbuild.CardCache(folder, cardbuild.find_fonts(), SECRET)
        found = _with_deadline(lambda: cache.draw_all(wanted))
        assert _with_deadline(lambda: cardbuild.card_bytes(
            found["assets/cards/papers/a.png"])) == png
        return cache.stats

    assert again().hits == 1
    entry.write_bytes(stored.replace(b"IDAT", b"IDAT\x00", 1))  # an edited picture
    assert again().drawn == 1
    entry.unlink()
    os.mkfifo(entry)
    assert again().drawn == 1
    assert Store(folder, SECRET, ".x").load(KEY) is None
    foreign = [folder / "photo.png", folder / ("0" * 40 + ".png")]
    foreign[0].write_bytes(b"\x89PNG\r\n\x1a\n mine")
    foreign[1].write_bytes(b"not a png, but named like a card")
    again()
    assert all(path.exists() for path in foreign)


def test_the_entries_of_the_last_builds_are_kept_and_older_ones_go(tmp_path: Path) -> None:
    folder = cachestore.Folder(tmp_path / "cache", SECRET)
    pages = folder.store("pages", ".page")
    keys = [f"{i:02x}" + "0" * 62 for i in range(cachestore.KEEP_BUILDS + 2)]
    shared = "ff" + "0" * 62
    pages.store(shared, b"x")
    removed, dated = [], set()
    for i, key in enumerate(keys):
        pages.store(key, b"x")  # this build's own page
        removed.append(folder.finish("build", {"pages": {shared, key}}))
        # Building the same inputs again records no new build and deletes nothing.
        assert folder.finish("build", {"pages": {shared, key}}) == 0
        for name, path in folder.store("used", ".keys").entries(skip=dated):
            os.utime(path, (i, i))  # the newest list is the newest build
            dated.add(name)
    kept = {key for key, _ in pages.entries()}
    # An edit and its undo both hit: only builds past the last KEEP_BUILDS lose entries.
    assert removed[:cachestore.KEEP_BUILDS] == [0] * cachestore.KEEP_BUILDS
    assert shared in kept and set(keys[-cachestore.KEEP_BUILDS:]) <= kept
    assert not kept & set(keys[:2]) and sum(removed) == 2


def test_a_preview_keeps_the_conversions_it_read_in_memory_and_only_those(
        tmp_path: Path) -> None:
    from mkdocs.config import load_config
    from paperdigest.site.rendercache import FORMAT, PageCache

    store, memo = _store(tmp_path), {}
    other = "cd" + "0" * 62
    for key in (KEY, other):
        store.store(key, b'{"format": %d, "content": "<p>%s</p>"}' % (FORMAT, key[:2].encode()))
    cache = PageCache(store, load_config(str(REPO / "mkdocs.yml")), memo=memo)
    first = cache.load(KEY)
    assert first is not None and cache.load(other) is not None
    store.path(KEY).unlink()  # the next save reads it from memory, not from the disk
    again = PageCache(store, load_config(str(REPO / "mkdocs.yml")), memo=memo)
    assert again.load(KEY) == first
    again.used = {KEY}
    again.forget_unused()
    assert set(memo) == {KEY}


def test_a_preview_of_many_saves_evicts_nothing_a_build_needs(tmp_path: Path) -> None:
    folder = cachestore.Folder(tmp_path / "cache", SECRET)
    pages = folder.store("pages", ".page")
    built = "ee" + "0" * 62
    pages.store(built, b"x")
    folder.finish("build", {"pages": {built}})
    for i in range(cachestore.KEEP_BUILDS * 3):  # saves under serve, each other inputs
        key = f"{i:02x}" + "1" * 62
        pages.store(key, b"x")
        folder.finish("serve", {"pages": {key}})
    kept = {key for key, _ in pages.entries()}
    assert built in kept and len(kept) == 1 + cachestore.KEEP_BUILDS
