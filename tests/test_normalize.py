"""kbtools.normalize: the one tokeniser of entries and queries."""

from __future__ import annotations

from kbtools.normalize import MAX_QUERY_TOKENS, query_tokens, strip_variable, tokens, word_spans


def test_the_same_line_from_two_machines_gives_the_same_tokens() -> None:
    here = "2018/10/15 10:07:27 [error] 23735#0: *23735 connect() to 10.0.0.1:8000 failed (111: Connection refused)"
    there = "2024-03-02T23:59:01.123+08:00 [error] 9#9: *1 connect() to 192.168.33.7:8001 failed (111: Connection refused)"
    assert tokens(here) == tokens(there) == ["(111)", "connect", "failed", "connection", "refused"]


def test_syslog_and_klog_timestamps_are_dropped() -> None:
    assert tokens("Oct  5 10:07:27 host kong[123]: boom") == tokens("Jan 12 01:00:00 host kong[9]: boom")
    assert tokens("E1015 10:07:27.123456 1 reflector.go: failed") == ["reflector.go", "reflector", "go", "failed"]


def test_klog_source_positions_are_dropped() -> None:
    # `controller.go:130]` is where in the controller's code the line was printed, not what failed:
    # every line of that controller carries one.
    line = "E1016 17:48:00.868987       5 controller.go:130] unexpected failure updating Kong configuration:"
    assert tokens(line) == ["unexpected", "failure", "updating", "kong", "configuration"]
    # A Go file named inside the message stays.
    assert "reflector.go" in tokens("k8s.io/client-go/tools/cache/reflector.go:125: Failed to list")


def test_the_nginx_request_context_is_dropped() -> None:
    line = ('2018/11/14 08:33:28 [error] 61#0: *23791 upstream prematurely closed connection while reading '
            'response header from upstream, client: 10.191.18.44, server: kong, request: "GET /backend/api/x '
            'HTTP/1.1", upstream: "https://10.0.0.1:443/api/x", host: "api.example.com"\nnext line')
    assert tokens(line) == ["upstream", "prematurely", "closed", "connection", "while", "reading", "response",
                            "header", "upstream", "next", "line"]


def test_the_syslog_host_is_dropped_but_the_program_kept() -> None:
    # The host name is whose machine it is: two machines' copies of one line give the same tokens.
    assert tokens("Mar 11 08:40:02 gw-2 kong[1187]: boom") == tokens("Jan  8 13:46:17 raspberrypi kong[9]: boom")
    assert tokens("Mar 11 08:40:02 gw-2 kong[1187]: boom") == ["kong", "boom"]
    # Without a program after it, the word after the time is not taken for a host.
    assert tokens("Mar 11 08:40:02 upstream timed out") == ["upstream", "timed", "out"]


def test_uuids_hex_ids_and_addresses_are_dropped() -> None:
    assert tokens("consumer 550e8400-e29b-41d4-a716-446655440000 gone") == ["consumer", "gone"]
    assert tokens("peer fe80:0:0:0:1:2:3:4 gone") == ["peer", "gone"]
    assert tokens("addr 0x7f3a2c9d") == ["addr"]
    assert tokens("commit 3f2a9c7d1e") == ["commit"]


def test_ports_and_line_numbers_are_dropped_but_the_name_is_kept() -> None:
    assert tokens("sock.c:539") == tokens("sock.c:540") == ["sock.c", "sock"]
    assert tokens("kong-hf.mashape.com:61828") == ["kong-hf.mashape.com", "kong", "hf", "mashape", "com"]


def test_home_folders_do_not_matter() -> None:
    assert tokens("/home/alice/kong/init.lua:12") == tokens("/Users/bob/kong/init.lua:99") == \
        ["kong", "init.lua", "init", "lua"]


def test_identifiers_are_kept_whole_and_by_parts() -> None:
    assert tokens("to_regclass") == ["to_regclass", "regclass"]  # `to` is a stop word as a part only
    assert tokens("luarocks.loader") == ["luarocks.loader", "luarocks", "loader"]
    assert tokens("real_ip_header") == ["real_ip_header", "real", "ip", "header"]
    assert tokens("KongIngress") == ["kongingress", "kong", "ingress"]


def test_a_pod_name_keeps_its_stable_parts_only() -> None:
    assert tokens("kong-7d9f8b6c5d-x2x7k") == ["kong", "x2x7k"]


def test_chinese_becomes_bigrams_and_latin_words_stay_whole() -> None:
    assert tokens("数据库迁移") == ["数据", "据库", "库迁", "迁移"]
    assert tokens("库") == ["库"]
    assert tokens("Kong的插件") == ["kong", "的插", "插件"]
    assert tokens("运行 to_regclass 失败") == ["运行", "to_regclass", "regclass", "失败"]


def test_query_syntax_characters_are_plain_text() -> None:
    assert query_tokens('"foo a OR * AND') == ["foo"]
    assert query_tokens("") == []


def test_queries_are_capped_and_deduplicated() -> None:
    many = " ".join(f"w{i:05d}q" for i in range(10_000))
    found = query_tokens(many)
    assert len(found) == MAX_QUERY_TOKENS
    assert query_tokens("boom boom BOOM") == ["boom"]


def test_strip_variable_leaves_words_alone() -> None:
    assert strip_variable("function to_regclass(unknown) does not exist").split() == \
        ["function", "to_regclass(unknown)", "does", "not", "exist"]


def test_word_spans_mark_whole_words_and_matching_bigrams() -> None:
    line = "ERROR: function to_regclass(unknown) 数据库迁移"
    spans = word_spans(line, {"to_regclass", "数据", "据库"})
    assert [line[a:b] for a, b in spans] == ["to_regclass", "数据库"]
    assert word_spans(line, set()) == []


def test_edge_underscores_do_not_make_another_word() -> None:
    assert tokens("LUA_NUMBER_*") == tokens("LUA_NUMBER") == ["lua_number", "lua", "number"]


def test_error_numbers_in_parentheses_are_tokens() -> None:
    assert tokens("apr_socket_recv: Connection reset by peer (104)")[0] == "(104)"
    assert tokens("recv() failed (104: Connection reset by peer)")[:1] == ["(104)"]
    assert "(54)" in tokens("Connection reset by peer (54)")
    # Other numbers stay out: counts, line numbers, versions.
    assert tokens("Completed 40000 requests in 12 s (2.3 MB)") == ["completed", "requests", "mb"]
