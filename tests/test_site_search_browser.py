"""The site's error search in chromium, against `kb search` on the same KB and the same queries.

The engine (kb-search.js) runs in the built site; the Python side is kbtools.search.search over the
same entries. Recall figures are written to tests/artifacts/site-search.json for BENCHMARKS.md.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from sitebuild import REPO, Browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = REPO / "tests" / "artifacts"
# Every labelled set: those written from the entries, and the real ones (dev and the held-out runs).
SETS = sorted((REPO / "benchmarks").glob("queries*.yaml")) + sorted((REPO / "benchmarks" / "real").glob("*.yaml"))
MAX_DISAGREE = 0.02
MAX_RECALL_GAP = 0.03


def labelled() -> list[dict[str, Any]]:
    items = []
    for path in SETS:
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["queries"] or []:
            items.append({"q": item["q"], "expect": item.get("expect"), "set": path.stem})
    return items


def symptom_lines(root: Path) -> list[str]:
    from kbtools.load import load_kb

    return [line for entry in load_kb(root).entries for s in entry.symptoms for line in s.output.splitlines()
            if line.strip()]


def python_ids(root: Path, queries: list[str], limit: int = 10) -> list[list[tuple[str, bool]]]:
    from kbtools.index import open_index
    from kbtools.search import search

    opened = open_index(root)
    try:
        return [[(h.id, h.confident) for h in search(root, q, limit=limit, opened=opened)] for q in queries]
    finally:
        opened.close()


JS_RUN = """async ([queries, limit]) => {
    const engine = await kbSearch.load(new URL('search/kb-errors.json', location.href).href);
    return queries.map(q => engine.search(q, limit).map(h => [h.id, h.confident]));
}"""


def test_python_and_the_browser_tokenise_alike(browser: Browser, built_site: Any) -> None:
    from kbtools import normalize

    corpus = [item["q"] for item in labelled()] + symptom_lines(built_site.root)
    corpus += ["ＦＵＬＬ ｗｉｄｔｈ ＫｏｎｇＩｎｇｒｅｓｓ", "Ошибка: модуль 'lua' не найден", "café_au_lait-2 ΣΑΣ",
               "emoji 🙂 'x🙂y' 数据库🙂迁移",
               "Mar 11 08:40:02 gw-2 kong[1187]: boom", "Jan  8 13:46:17 树莓派 kong[9]: 迁移 boom",
               "tab\tsep\u3000ideographic\u00a0nbsp\x1cfs", "__init__ LUA_NUMBER_*"]
    browser.open("")
    got = browser.page.evaluate("""async (lines) => {
        const engine = await kbSearch.load(new URL('search/kb-errors.json', location.href).href);
        return lines.map(line => engine.tokens(line));
    }""", corpus)
    differ = [(line, normalize.tokens(line), js) for line, js in zip(corpus, got, strict=True)
              if normalize.tokens(line) != js]
    assert len(corpus) > 300
    assert differ == [], differ[:3]


def test_first_results_agree_with_kb_search(browser: Browser, built_site: Any) -> None:
    items = labelled()
    queries = [item["q"] for item in items]
    browser.open("")
    js = browser.page.evaluate(JS_RUN, [queries, 10])
    py = python_ids(built_site.root, queries)
    first = [(q, p[:1], j[:1]) for q, p, j in zip(queries, py, js, strict=True) if [tuple(x) for x in j[:1]] != p[:1]]
    lists = sum(1 for p, j in zip(py, js, strict=True) if [tuple(x) for x in j] != p)
    report = {"queries": len(queries), "first_disagree": len(first), "lists_disagree": lists}
    _write("agreement", report)
    assert len(first) <= MAX_DISAGREE * len(queries), first[:5]


@pytest.mark.parametrize("lang,prefix", [("zh", ""), ("en", "en/")])
def test_site_recall_matches_kb_search(browser: Browser, built_site: Any, lang: str, prefix: str) -> None:
    """Every labelled query pasted into the home page's box, as a person would, in each language."""
    items = [item for item in labelled() if item["expect"]]
    py = python_ids(built_site.root, [item["q"] for item in items])
    browser.open(prefix)
    site_first = []
    for item in items:
        answer = browser.paste(item["q"])
        hits = answer["hits"]
        site_first.append(hits[0]["id"] if hits else None)
        if hits:
            assert f"/{prefix}entries/" in hits[0]["href"].removeprefix(browser.base.rstrip("/"))
    kb_recall = sum(1 for item, p in zip(items, py, strict=True) if p and p[0][0] == item["expect"]) / len(items)
    site_recall = sum(1 for item, s in zip(items, site_first, strict=True) if s == item["expect"]) / len(items)
    _write(f"recall-{lang}", {"covered_queries": len(items), "kb_search_recall@1": round(kb_recall, 3),
                              "site_recall@1": round(site_recall, 3)})
    assert abs(site_recall - kb_recall) <= MAX_RECALL_GAP, (site_recall, kb_recall)


@pytest.mark.parametrize("lang,prefix", [("zh", ""), ("en", "en/")])
def test_each_entry_is_found_first_by_its_own_symptom(browser: Browser, built_site: Any, lang: str,
                                                      prefix: str) -> None:
    """Each symptom's output as the entry prints it, pasted whole (an entry's longest line alone can
    be a generic header that several entries share: `Error: reading file: ...` of decK)."""
    from kbtools.load import load_kb

    browser.open(prefix)
    missed = []
    for entry in load_kb(built_site.root).entries:
        for symptom in entry.symptoms:
            hits = browser.paste(symptom.output)["hits"]
            if not hits or hits[0]["id"] != entry.id:
                missed.append((entry.id, symptom.output[:80], [h["id"] for h in hits]))
    assert missed == []


@pytest.mark.parametrize("lang,prefix", [("zh", ""), ("en", "en/")])
def test_a_stack_trace_pasted_whole_is_matched_whole(browser: Browser, lang: str, prefix: str) -> None:
    trace = "\n".join((
        "2024/05/06 07:08:09 [error] 1234#0: init_by_lua error: /usr/local/share/lua/5.1/kong/init.lua:388:",
        "/usr/local/share/lua/5.1/kong/globalpatches.lua:70: module 'socket' not found:",
        "        no field package.preload['socket']",
        "        no file '/usr/local/openresty/site/lualib/socket.ljbc'",
        "stack traceback:",
        "        [C]: in function 'require'",
        "        /usr/local/share/lua/5.1/kong/globalpatches.lua:70: in function 'init'",
    ))
    page = browser.open(prefix)
    answer = browser.paste(trace)
    assert answer["hits"] and answer["hits"][0]["id"] == "luarocks-socket-module-not-found", answer
    assert answer["hits"][0]["confident"]
    # The box keeps every line (a one-line input would have kept the first only).
    assert page.locator("#kb-paste-home textarea").input_value() == trace
    assert "socket" in answer["hits"][0]["line"]
    assert f"/{prefix}entries/kong/luarocks-socket-module-not-found/" in answer["hits"][0]["href"]
    page.locator("#kb-paste-home").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"paste-trace-{lang}.png"))


def test_nothing_confident_says_so(browser: Browser) -> None:
    browser.open("")
    answer = browser.paste("the weather is lovely today")
    assert not any(h["confident"] for h in answer["hits"])
    assert len(answer["hits"]) <= 3
    assert answer["status"] in ("没有匹配的条目；换几个词试试。", "没有把握的匹配；下面只是可能相关的条目。")


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_hostile_queries_leave_no_console_error(browser: Browser, prefix: str) -> None:
    rng = random.Random(9)
    megabyte = "".join(rng.choice("abcdef 0123456789:-_./\\'\"()[]{}*+~^数据库迁移\n\t") for _ in range(1 << 20))
    queries = ["upstream 10.0.0.1:8000 failed", "/etc/nginx/nginx-kong.conf:73", "gcc -O2 -fPIC", "-", ":", "a:b:c",
               "+x -y ~z ^2 *w", '"unterminated', "\\", megabyte]
    page = browser.open(prefix)
    for query in queries:
        browser.paste(query)
    # The header button opens the same box in a dialog on any page.
    browser.open(prefix + "tags/")
    page.locator(".kb-paste-open").click()
    answer = browser.paste("nginx: [emerg] unknown directive \"real_ip_header\"", panel="#kb-paste-dialog")
    assert answer["hits"][0]["id"] == "openresty-real-ip-header-unknown"
    page.keyboard.press("Escape")
    # Material's own search box: the same text raises no QueryParseError and finds pages.
    for query in ("10.0.0.1:8000", "nginx-kong.conf:73", "gcc -O2 -fPIC", "real_ip_header"):
        hrefs = browser.search(query)
        assert hrefs, query
    assert browser.errors == []


def _write(name: str, data: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "site-search.json"
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    current[name] = data
    path.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
