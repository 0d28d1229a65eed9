"""kbtools.search: ranking, the no-match rule, filters, and every real symptom finding its own entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import REPO, entry_text

from kbtools.index import Opened, open_index
from kbtools.load import load_kb
from kbtools.search import BadVersion, Hit, QuerySyntaxError, search


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))


def _entry(entry_id: str, output: str, *, title_en: str, title_zh: str, component: str = "database",
           tags: list[str] | None = None, env: dict[str, str] | None = None, prose: str = "") -> str:
    body = (f"<!-- lang: zh -->\n## 原因\n\n{title_zh}的原因。\n\n## 解决\n\n修好它。\n\n"
            f"<!-- lang: en -->\n## Cause\n\n{prose or 'Something broke.'}\n\n## Fix\n\nFix it. Then restart.\n")
    return entry_text(entry_id, front={
        "title": {"zh": title_zh, "en": title_en}, "component": component,
        "symptoms": [{"command": "kong start", "output": output}],
        "tags": tags or [], "environment": env or {},
    }, body=body)


@pytest.fixture
def kb(make_kb: Callable[..., Path]) -> Path:
    return make_kb({
        "kong/regclass.md": _entry(
            "regclass", "ERROR: function to_regclass(unknown) does not exist (8)\n",
            title_en="migrations fail: to_regclass does not exist", title_zh="数据库迁移失败",
            tags=["postgresql"], env={"postgresql": "<9.4"}),
        "kong/timeout.md": _entry(
            "timeout", "[postgres error] could not retrieve server_version: timeout\n",
            title_en="Kong cannot reach the database", title_zh="连不上数据库",
            tags=["postgresql", "startup"]),
        "kong/loader.md": _entry(
            "loader", "module 'luarocks.loader' not found:\n\tno field package.preload['luarocks.loader']\n",
            title_en="luarocks.loader not found", title_zh="找不到 luarocks.loader", component="build",
            prose="The Lua path does not include LuaRocks."),
    })


def ids(hits: list[Hit]) -> list[str]:
    return [hit.id for hit in hits]


@pytest.mark.parametrize(("query", "expected"), [
    ("to_regclass", "regclass"),
    ("function to_regclass(unknown) does not exist", "regclass"),
    ("2024-01-01 12:00:00 [error] 77#0: *5 ERROR: function to_regclass(unknown) does not exist (8)", "regclass"),
    ("could not retrieve server_version", "timeout"),
    ("luarocks.loader", "loader"),
    ("loader", "loader"),  # a part of an identifier finds it
    ("数据库迁移", "regclass"),
    ("连不上数据库", "timeout"),
])
def test_the_right_entry_comes_first(kb: Path, query: str, expected: str) -> None:
    assert ids(search(kb, query))[0] == expected


def test_one_known_line_inside_a_long_pasted_log_is_found(kb: Path) -> None:
    noise = "\n".join(f"2024/02/0{i % 9 + 1} 10:00:0{i % 9} [notice] {i}#0: signal process started" for i in range(200))
    log = noise + "\n2024/02/03 10:00:01 [error] 9#0: [postgres error] could not retrieve server_version: timeout\n" + noise
    assert ids(search(kb, log))[0] == "timeout"


def test_symptom_text_outweighs_prose(kb: Path) -> None:
    # "LuaRocks" is in the prose of `loader`; `regclass` has nothing of it: prose still counts.
    assert ids(search(kb, "luarocks"))[0] == "loader"


@pytest.mark.parametrize("query", ["java.lang.NullPointerException at com.example.Foo.bar(Foo.java:42)",
                                   "segmentation fault core dumped", "", "*", "AND", "a OR"])
def test_unrelated_or_empty_queries_find_nothing(kb: Path, query: str) -> None:
    assert search(kb, query) == []


def confident(hits: list[Hit]) -> list[str]:
    return [hit.id for hit in hits if hit.confident]


def test_a_weak_match_is_returned_as_possible_not_hidden(kb: Path) -> None:
    # `postgres` and `database` are in `timeout` (symptom, title), `unreachable` and `upgrade` in none.
    hits = search(kb, "postgres database unreachable after upgrade")
    assert ids(hits) == ["timeout"] and not hits[0].confident
    assert 0.15 <= hits[0].confidence <= 0.5
    # A query that shares a word or so with a long unrelated error is not even a possible match.
    assert search(kb, "database unreachable because of a broken java.lang.NullPointerException in com.example.Foo") == []


def test_hit_carries_what_a_result_shows(kb: Path) -> None:
    hit = search(kb, "to_regclass")[0]
    assert hit.path == "entries/kong/regclass.md"
    assert hit.title == {"zh": "数据库迁移失败", "en": "migrations fail: to_regclass does not exist"}
    assert hit.symptom == "ERROR: function to_regclass(unknown) does not exist (8)"
    assert [hit.symptom[a:b] for a, b in hit.spans] == ["to_regclass"]
    assert hit.fix == {"zh": "修好它。", "en": "Fix it."}
    assert hit.to_dict()["matched"] == ["to_regclass"]


def test_limit(kb: Path) -> None:
    assert len(search(kb, "数据库 postgres", limit=1)) == 1


def test_filters(kb: Path) -> None:
    assert ids(search(kb, "luarocks.loader", component="database")) == []
    assert ids(search(kb, "luarocks.loader", component="build")) == ["loader"]
    assert ids(search(kb, "to_regclass", product="nope")) == []
    assert ids(search(kb, "数据库", tags=["startup"])) == ["timeout"]


def test_env_filter_keeps_entries_whose_constraint_admits_the_version(kb: Path) -> None:
    assert ids(search(kb, "to_regclass", env={"postgresql": "9.3"})) == ["regclass"]
    assert ids(search(kb, "to_regclass", env={"postgresql": "9.6"})) == []
    # An entry that states no constraint for that software is kept.
    assert ids(search(kb, "server_version", env={"postgresql": "9.6"})) == ["timeout"]
    with pytest.raises(BadVersion, match="not a version"):
        search(kb, "to_regclass", env={"postgresql": "nine"})


def test_syntax_mode_reads_the_query_language(kb: Path) -> None:
    assert ids(search(kb, "to_regclass AND NOT timeout", syntax=True)) == ["regclass"]
    assert ids(search(kb, "title:luarocks.loader", syntax=True)) == ["loader"]


def test_syntax_errors_are_reported(kb: Path) -> None:
    # The parser forgives nearly anything; whatever it does, no exception other than ours escapes.
    try:
        search(kb, 'title:("unclosed', syntax=True)
    except QuerySyntaxError:
        pass


REAL = load_kb(REPO)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    """The real KB's index, built once for the tests below."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KB_CACHE_DIR", str(tmp_path_factory.mktemp("real-cache")))
        opened = open_index(REPO)
    yield opened
    opened.close()


@pytest.mark.parametrize(("entry_id", "output"), [
    (entry.id, symptom.output) for entry in REAL.entries for symptom in entry.symptoms
])
def test_every_real_symptom_finds_its_own_entry_first(real: Opened, entry_id: str, output: str) -> None:
    hits = search(REPO, output, opened=real)
    assert hits, f"no match for the symptom of {entry_id}"
    assert hits[0].id == entry_id, f"{entry_id}: ranked {ids(hits)}"
    assert hits[0].confident, f"{entry_id}: its own symptom is only a possible match"


@pytest.mark.parametrize(("query", "expected"), [
    ("to_regclass", "postgres-to-regclass"),
    ("sock.c:539", "siege-connection-reset-keepalive-requests"),
    ("kong-hf.mashape.com:61828", "syslog-host-not-found-anonymous-reports"),
])
def test_done_means_queries_on_the_real_kb(real: Opened, query: str, expected: str) -> None:
    assert confident(search(REPO, query, opened=real))[0] == expected


def test_chinese_word_on_the_real_kb_finds_a_database_entry(real: Opened) -> None:
    hits = search(REPO, "数据库", opened=real)
    assert hits
    assert REAL.by_id()[hits[0].id].component == "database"


def test_the_same_message_about_another_identifier_is_another_error() -> None:
    # The line of a known error, but about a directive no entry mentions: not that entry.
    assert confident(search(REPO, 'nginx: [emerg] unknown directive "more_set_headers" in /usr/local/kong/'
                                  'nginx-kong.conf:12')) == []
    hits = search(REPO, 'nginx: [emerg] unknown directive "real_ip_header" in /etc/kong/nginx-kong.conf:80')
    assert confident(hits)[:1] == ["openresty-real-ip-header-unknown"]


def test_a_module_with_another_name_is_another_error(make_kb: Callable[..., Path]) -> None:
    # The names share the token `kong`, but a quoted name is compared whole.
    root = make_kb({"kong/base-plugin.md": _entry(
        "base-plugin", "handler.lua:1: module 'kong.plugins.base_plugin' not found:No LuaRocks module found "
                       "for kong.plugins.base_plugin\n", title_en="BasePlugin was removed", title_zh="BasePlugin 被删除")})
    other = search(root, "access.lua:1: module 'kong.tools.responses' not found:No LuaRocks module found for "
                         "kong.tools.responses")
    assert ids(other) == ["base-plugin"] and not other[0].confident
    assert other[0].evidence and other[0].evidence.other == ("kong.tools.responses",)
    same = search(root, "schema.lua:3: module 'kong.plugins.base_plugin' not found:No LuaRocks module found for "
                        "kong.plugins.base_plugin")
    assert confident(same) == ["base-plugin"]


def test_the_frames_of_a_stack_trace_do_not_outweigh_its_error(make_kb: Callable[..., Path]) -> None:
    root = make_kb({
        "kong/running.md": _entry("running", "/usr/local/share/lua/5.1/kong/cmd/start.lua:24: Kong is already "
                                             "running in /usr/local/kong\n",
                                  title_en="Kong is already running", title_zh="Kong 已经在运行"),
        # Another entry whose own error names the functions the trace passes through.
        "kong/frames.md": _entry("frames", "cmd_exec xpcall file_gen init_worker_by_lua failed\n",
                                 title_en="cmd_exec fails", title_zh="cmd_exec 失败"),
    })
    trace = ("Error: /usr/local/share/lua/5.1/kong/cmd/start.lua:24: Kong is already running in /usr/local/kong\n"
             "stack traceback:\n\t[C]: in function 'assert'\n"
             "\t/usr/local/share/lua/5.1/kong/cmd/start.lua:24: in function 'cmd_exec'\n"
             "\t/usr/local/share/lua/5.1/kong/cmd/init.lua:88: in function <init.lua:45>\n"
             "\t[C]: in function 'xpcall'\n\t/usr/local/bin/kong:9: in function 'file_gen'\n"
             "\tinit_worker_by_lua:47: in function <init_worker_by_lua:45>\n")
    hits = search(root, trace)
    assert confident(hits) == ["running"]
    assert ids(hits)[:2] == ["running", "frames"]


def test_a_warning_printed_above_the_error_does_not_outweigh_it(make_kb: Callable[..., Path]) -> None:
    root = make_kb({
        "kong/user-warning.md": _entry("user-warning", 'nginx: [warn] the "user" directive makes sense only if the '
                                       "master process runs with super-user privileges, ignored in "
                                       "/usr/local/kong/nginx.conf:7\n",
                                       title_en="nginx warns about the user directive", title_zh="nginx 对 user 指令告警"),
        "kong/ipv6-bind.md": _entry("ipv6-bind", "nginx: [emerg] bind() to [::1]:8444 failed (99: Cannot assign "
                                    "requested address)\n",
                                    title_en="bind to ::1 fails", title_zh="绑定 ::1 失败"),
    })
    warning = ('nginx: [warn] the "user" directive makes sense only if the master process runs with super-user '
               "privileges, ignored in /kong_prefix/nginx.conf:7")
    error = "nginx: [emerg] bind() to [::1]:8444 failed (99: Cannot assign requested address)"
    # The error that stopped nginx is the answer, whichever line came first in the paste.
    for paste in (f"{warning}\n{error}", f"{error}\n{warning}",
                  f"Error: could not prepare Kong prefix at /kong_prefix: nginx configuration is invalid:\n"
                  f"{warning}\n{error}"):
        hits = search(root, paste)
        assert ids(hits)[0] == "ipv6-bind", paste
        assert confident(hits) == ["ipv6-bind"], paste
    # Alone, the warning is what the user asks about.
    assert confident(search(root, warning)) == ["user-warning"]
    # Beside a line of the same or a lower level it keeps its weight: nothing says which failed.
    both = search(root, warning + "\nnginx: [notice] bind() to [::1]:8444 failed (99: Cannot assign requested address)")
    assert set(confident(both)) == {"user-warning", "ipv6-bind"}


def test_a_question_in_the_words_of_a_report_the_entry_cites_finds_it(make_kb: Callable[..., Path]) -> None:
    cited = entry_text("cited", front={"references": [
        {"url": "https://github.com/Kong/kong/issues/1", "title": "Balancer keeps sending requests to a removed target"}]})
    root = make_kb({"kong/cited.md": cited, "kong/other.md": entry_text("other")})
    question = "why does the balancer keep sending requests to a removed target"
    # The other entry is the same but for its references: none of the question's words is in it.
    assert ids(search(root, question)) == ["cited"]


def test_words_only_the_prose_has_count_half_in_a_pasted_log_line(make_kb: Callable[..., Path]) -> None:
    body = ("<!-- lang: zh -->\n## 原因\n\n原因。\n\n## 解决\n\n解决。\n\n"
            "<!-- lang: en -->\n## Cause\n\nThe gearbox sprockets wobble sideways.\n\n## Fix\n\nFix it.\n")
    root = make_kb({"kong/sample-one.md": entry_text("sample-one", body=body)})
    # Typed by a person: the prose is where such words are.
    assert confident(search(root, "gearbox sprockets wobble sideways")) == ["sample-one"]
    # The same words in a log line: only the prose shares them, so it is only a possible match.
    line = "2024/01/02 03:04:05 [error] 7#7: gearbox sprockets wobble sideways"
    hits = search(root, line)
    assert ids(hits) == ["sample-one"] and not hits[0].confident


def test_a_description_in_words_may_match_prose() -> None:
    hits = search(REPO, "kong fails to start: host not found in syslog server, the machine has no internet access")
    assert confident(hits)[:1] == ["syslog-host-not-found-anonymous-reports"]


def _numbered(entry_id: str, output: str) -> str:
    return _entry(entry_id, output, title_en=f"Problem {entry_id}", title_zh=f"问题 {entry_id}")


def test_confidence_does_not_fall_when_unrelated_entries_are_added(make_kb: Callable[..., Path]) -> None:
    query = "2024/05/06 07:08:09 [error] 3#3: *4 recv() failed (104: Connection reset by peer) while reading upstream"
    files = {"kong/reset.md": _numbered("reset", "recv() failed (104: Connection reset by peer) while reading upstream\n")}
    before = search(make_kb(files), query)[0]
    # Near misses that share most of the words: `connection`, `failed`, `upstream`, `reading`.
    for i in range(40):
        files[f"kong/near-{i:02d}.md"] = _numbered(
            f"near-{i:02d}", f"upstream timed out (110: Connection timed out) while reading upstream {i}\n"
                             f"connect() failed (111: Connection refused) while connecting to upstream\n")
    after = search(make_kb(files), query)
    assert after[0].id == "reset" and after[0].confident
    assert after[0].confidence == before.confidence == 1.0
    assert not any(hit.confident for hit in after[1:])


def test_exact_ties_are_ordered_by_id_in_every_build(make_kb: Callable[..., Path]) -> None:
    # Written in reverse order of their ids, so that index order and id order differ.
    names = ["zeta", "mu", "alpha", "kappa"]
    files = {f"kong/{n}.md": _numbered(n, "upstream sent too big header while reading response header\n")
             for n in names}
    first = ids(search(make_kb(files), "upstream sent too big header"))
    second = ids(search(make_kb(dict(reversed(list(files.items())))), "upstream sent too big header"))
    assert first == second == sorted(names)


def test_a_stronger_match_is_never_listed_below_a_weaker_one(real: Opened) -> None:
    for query in ("connection reset by peer", "kong migrations postgres", "module not found luarocks",
                  "nginx: [emerg] unknown directive in nginx-kong.conf", "插件 数据库 迁移"):
        hits = search(REPO, query, limit=10, opened=real)
        tiers = [hit.confident for hit in hits]
        assert tiers == sorted(tiers, reverse=True), query
        assert [h.confidence for h in hits] == sorted((h.confidence for h in hits), reverse=True), query


@pytest.mark.parametrize("query", ["upstream", "sprocket upstream"])
def test_one_or_two_words_that_most_entries_hold_still_find_them(make_kb: Callable[..., Path], query: str) -> None:
    # 60 entries hold `upstream`: far over the share of entries that a long query leaves out.
    files = {f"kong/e{i:02d}.md": _numbered(f"e{i:02d}", f"upstream problem number{i} widget{i}\n") for i in range(60)}
    files["kong/other.md"] = _numbered("other", "something else entirely: sprocket jammed\n")
    hits = search(make_kb(files), query, limit=100)
    expected = {f"e{i:02d}" for i in range(60)} | ({"other"} if "sprocket" in query else set())
    assert set(ids(hits)) == expected
