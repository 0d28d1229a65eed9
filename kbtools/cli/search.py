"""kb search: paste an error (or a whole log with `-`), get the entries that explain it, best first.

This is the command people wait on, so it imports only what a search needs: no YAML, no pydantic
(the index stores everything a result shows). The work is in kbtools.search.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from typing import TYPE_CHECKING

from kbtools.cli import options
from kbtools.terminal_labels import LABELS

if TYPE_CHECKING:
    from kbtools.index import Opened
    from kbtools.search import Hit

# Without a confident result, this many possible ones are shown (--all: up to --limit).
POSSIBLE_SHOWN = 3
MAX_LINE = 200  # characters of the matched symptom line shown around the first highlighted word


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.add_command(
        sub, "search", help="find the entries that explain an error message",
        description="Search the knowledge base with an error message, a log fragment, a whole pasted log\n"
                    "(`-` reads it from stdin) or a description in English or Chinese. The variable parts\n"
                    "of log lines (timestamps, PIDs, IPs, ports, paths) are ignored.\n\n"
                    "Results come in two tiers. A *confident* result explains most of the query: most of one\n"
                    "of its known error lines is in the text, or it holds most of the query's telling words.\n"
                    "Anything else the index found is a *possible* result. Confident results come first; each\n"
                    "tier is ordered by the same evidence that decides it (exact ties by id). When nothing is\n"
                    "confident, one line says so and up to 3 possible results follow, marked as possible.\n"
                    "--explain shows, per result, the evidence and the decision.",
        epilog="exit status: 0 at least one confident result, 1 none (possible results may still be\n"
               "printed), 2 usage or knowledge-base error.\n"
               "The index is kept in the user cache folder ($KB_CACHE_DIR, else $XDG_CACHE_HOME/kb) and\n"
               "is built or updated automatically when entries change (`kb index` does it on demand).\n\n"
               "examples:\n"
               "  kb search to_regclass\n"
               "  kb search 'ERROR: function to_regclass(unknown) does not exist'\n"
               "  kb search 数据库 迁移\n"
               "  journalctl -u kong -n 50 | kb search -\n"
               "  kb search --env postgresql=9.3 --product kong migrations\n"
               "  kb search --json 'sock.c:539' | jq -r '.results[0].id'",
    )
    parser.add_argument("query", nargs="*", metavar="TEXT",
                        help="the error text or words to look for; `-` reads the text from stdin")
    options.add_kb(parser)
    parser.add_argument("-n", "--limit", type=_positive, default=5, metavar="N",
                        help="show at most N results (default 5)")
    parser.add_argument("--all", action="store_true",
                        help="show possible results too, up to --limit (after the confident ones)")
    parser.add_argument("--explain", action="store_true",
                        help="show why each result ranked: the symptom line it matched, the telling words it "
                             "shares with the query, the parts of its confidence and the tier decision")
    parser.add_argument("--product", metavar="NAME", help="only entries of this product")
    parser.add_argument("--component", metavar="NAME", help="only entries of this component")
    parser.add_argument("--tag", action="append", default=[], metavar="TAG",
                        help="only entries with this tag (repeat for several: all must match)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VERSION", type=_env,
                        help="only entries whose environment admits this version, e.g. postgresql=9.3 (repeatable)")
    parser.add_argument("--syntax", action="store_true",
                        help="read TEXT as a Whoosh query (AND, OR, NOT, field:word; a \"quoted phrase\" matches "
                             "entries holding all its words) instead of plain text")
    options.add_lang(parser)
    options.add_json(parser)
    options.add_colour(parser)
    parser.set_defaults(run=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _env(text: str) -> tuple[str, str]:
    name, sep, version = text.partition("=")
    if not sep or not name.strip() or not version.strip():
        raise argparse.ArgumentTypeError(f"`{text}`: give NAME=VERSION, e.g. postgresql=9.3")
    return name.strip().lower(), version.strip()


def read_query(args: argparse.Namespace) -> str:
    """The query text: the arguments joined, or stdin for `-` (capped, undecodable bytes replaced)."""
    from kbtools.errors import KBError
    from kbtools.normalize import MAX_QUERY_CHARS

    if args.query == ["-"]:
        if sys.stdin is None:  # started with standard input closed (`<&-`)
            raise KBError("`-` reads the query from standard input, but it is closed")
        raw = _read_capped_stdin(MAX_QUERY_CHARS * 4)
        text = raw.decode("utf-8", errors="replace")[:MAX_QUERY_CHARS]
    else:
        # Arguments that were not valid UTF-8 arrive as surrogates: make them printable.
        text = " ".join(args.query).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = text.replace("\x00", " ")
    if not text.strip():
        raise KBError("the query is empty: give the error text, e.g. `kb search to_regclass`, "
                      "or pipe it in with `kb search -`")
    return text


# Blank lines before the text are skipped, but not forever: `yes '' | kb search -` must end.
MAX_LEADING_BLANK = 64 * 1024 * 1024


def _read_capped_stdin(cap: int) -> bytes:
    """At most ``cap`` bytes of stdin, from its first non-blank byte: read no more than the search
    looks at, so that a pasted log of gigabytes costs nothing more."""
    stream = sys.stdin.buffer
    skipped = 0
    while True:
        chunk = stream.read(cap)
        text = chunk.lstrip()
        if text or not chunk or skipped > MAX_LEADING_BLANK:
            break
        skipped += len(chunk)
    return text + stream.read(cap - len(text)) if text and len(text) < cap else text


def run(args: argparse.Namespace) -> int:
    from kbtools.cli.progress import stderr_progress
    from kbtools.errors import KBError
    from kbtools.index import open_index
    from kbtools.search import BadVersion, DamagedIndex, QuerySyntaxError, search
    from kbtools.term import Painter, use_colour, warn
    from kbtools.urls import site_url

    text = read_query(args)
    root = options.root(args)
    lang = options.reader_lang(args.lang)
    opened = open_index(root, progress=stderr_progress)
    try:
        for message in opened.warnings:
            warn(message)
        if opened.report is not None and opened.report.changed and opened.report.skipped:
            count = len(opened.report.skipped)
            warn(f"{count} invalid entr{'y' if count == 1 else 'ies'} left out of the index; run `kb validate`")
        _check_filters(args, opened)
        query = functools.partial(search, root, text, limit=args.limit, product=args.product,
                                  component=args.component, tags=args.tag, env=dict(args.env),
                                  syntax=args.syntax)
        try:
            try:
                hits = query(opened=opened)
            except DamagedIndex as exc:
                # Deleting the index is always safe, and so is building a new one beside it.
                warn(f"{exc}; rebuilding it")
                opened.close()
                opened = open_index(root, rebuild=True, progress=stderr_progress)
                hits = query(opened=opened)
        except QuerySyntaxError as exc:
            raise KBError(f"cannot parse the query: {exc}") from None
        except BadVersion as exc:
            raise KBError(f"--env: {exc}") from None
    finally:
        opened.close()
    base = site_url(root)
    found = any(hit.confident for hit in hits)
    if args.json:
        json.dump({"query": text, "confident": found,
                   "results": [_json(hit, base, lang, args.explain) for hit in hits]},
                  sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0 if found else 1
    if found:
        shown = hits if args.all else [hit for hit in hits if hit.confident]
    else:
        shown = hits if args.all else hits[:POSSIBLE_SHOWN]
        print(f"kb: {LABELS[lang]['unsure' if shown else 'none']}", file=sys.stderr, flush=True)
    paint = Painter(use_colour(sys.stdout, args.colour))
    for number, hit in enumerate(shown, 1):
        if number > 1:
            print()
        print(format_hit(hit, number, lang, base, paint, explain=args.explain))
    return 0 if found else 1


def _check_filters(args: argparse.Namespace, opened: Opened) -> None:
    """A --product, --component or --tag value that no entry has is a typo, not "no match"."""
    from kbtools.errors import KBError

    for flag, name, given in (("--product", "product", [args.product] if args.product else []),
                              ("--component", "component", [args.component] if args.component else []),
                              ("--tag", "tags", [tag.lower() for tag in args.tag])):
        if not given:
            continue
        known = opened.values(name)
        for value in given:
            if value not in known:
                listed = ", ".join(known) if known else "none"
                raise KBError(f"{flag} `{value}`: no entry has it; known: {listed}")


def _json(hit: Hit, base: str | None, lang: str, explain: bool) -> dict[str, object]:
    from kbtools.urls import entry_urls

    data = hit.to_dict()
    if explain and hit.evidence is not None:
        data["explain"] = {**hit.evidence.to_dict(), "bm25": round(hit.score, 3)}
    urls = entry_urls(base, hit.product, hit.id)
    data["url"] = urls.get(lang)
    data["urls"] = urls or None
    return data


def highlight(line: str, spans: tuple[tuple[int, int], ...], paint: object) -> str:
    """The line with the matched words bold (on a terminal), cut to MAX_LINE characters around the
    first of them. Without colour the words are left unmarked, so the line can be copied as printed."""
    start = 0
    if len(line) > MAX_LINE and spans:
        start = max(0, min(spans[0][0] - 40, len(line) - MAX_LINE))
    end = start + MAX_LINE
    out, pos = [], start
    for a, b in spans:
        a, b = max(a, start), min(b, end)
        if a >= b:
            continue
        out.append(line[pos:a])
        out.append(paint(line[a:b], "bold"))  # type: ignore[operator]
        pos = b
    out.append(line[pos:end])
    return ("…" if start else "") + "".join(out) + ("…" if len(line) > end else "")


def format_hit(hit: Hit, number: int, lang: str, base: str | None, paint: object, *, explain: bool = False) -> str:
    from kbtools.urls import entry_urls

    labels = LABELS[lang]
    title = paint(hit.title.get(lang) or hit.title["en"], "bold")  # type: ignore[operator]
    weak = "" if hit.confident else f"  ({labels['possible']})"
    fix = hit.fix.get(lang) or hit.fix.get("en") or ""
    lines = [f"{number}. {title}{weak}",
             f"   {labels['id']}: {hit.id}  ({hit.product}/{hit.component})"]
    if hit.symptom:
        lines.append(f"   {labels['matched']}: {highlight(hit.symptom, hit.spans, paint)}")
    if fix:
        lines.append(f"   {labels['fix']}: {fix}")
    lines.append(f"   {labels['file']}: {hit.path}")
    url = entry_urls(base, hit.product, hit.id).get(lang)
    if url:
        lines.append(f"   {labels['page']}: {url}")
    if explain and hit.evidence is not None:
        lines += explain_lines(hit, labels)
    return "\n".join(lines)


def explain_lines(hit: Hit, labels: dict[str, str]) -> list[str]:
    """--explain: what a contributor needs to see to add the missing symptom variant to an entry."""
    ev = hit.evidence
    assert ev is not None
    from kbtools.evidence import weight

    shared = ", ".join(f"{t} ({weight(t):g})" for t in ev.shared[:12]) or "-"
    if len(ev.shared) > 12:
        shared += f", … {len(ev.shared) - 12} more"
    line = (f"of the symptom line shown above as {labels['matched']!r}" if ev.line
            else "no symptom line shares a word")
    return [f"   {labels['why']}: {ev.reason()}",
            f"   {labels['parts']}: line share {ev.line_share:.2f} ({line}), query share {ev.query_share:.2f} "
            f"(in error text, title or code: {ev.strong_share:.2f}), weight shared {ev.shared_weight:.2f}, "
            f"penalty {ev.penalty:g}, bm25 {hit.score:.2f} (breaks ties only)",
            f"   {labels['shared']}: {shared}"]
