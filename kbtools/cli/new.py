"""kb new: scaffold an entry file in the right folder."""

from __future__ import annotations

import argparse
import sys

from kbtools.cli import options


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.add_command(
        sub, "new", help="create a skeleton entry to fill in",
        description="Create entries/<product>/<id>.md with every field of the format and TODO placeholders.\n"
                    "Missing values are asked for on a terminal; without one, --product, --component and\n"
                    "--id are required. An existing file is never overwritten.",
        epilog="examples:\n"
               "  kb new --product kong --component database --id postgres-too-old \\\n"
               "         --command 'kong migrations up' --output 'ERROR: function to_regclass(unknown) ...'\n"
               "  kb new          # asks for each value",
    )
    parser.add_argument("--product", help="product folder, listed in entries/products.yml (e.g. kong)")
    parser.add_argument("--component", help="component of the product (e.g. database)")
    parser.add_argument("--id", dest="entry_id", metavar="ID", help="the new id, a lowercase slug; the file name")
    parser.add_argument("--title-zh", help="Chinese title")
    parser.add_argument("--title-en", help="English title")
    parser.add_argument("--output", help="the error text, verbatim (`-` reads it from standard input)")
    parser.add_argument("--command", dest="symptom_command", metavar="COMMAND", help="the command that printed it")
    parser.add_argument("--log", help="where it was logged, when no command printed it")
    options.add_kb(parser)
    parser.set_defaults(run=run)


def _ask(label: str, choices: list[str] | None = None) -> str:
    hint = f" [{'/'.join(choices)}]" if choices else ""
    while True:
        try:
            value = input(f"{label}{hint}: ").strip()
        except EOFError:
            print(file=sys.stderr)
            raise SystemExit(2) from None
        if value and (not choices or value in choices):
            return value
        if choices:
            print(f"  choose one of: {', '.join(choices)}", file=sys.stderr)


def _stdin_text() -> str:
    from kbtools.errors import KBError

    if sys.stdin is None:
        raise KBError("--output -: standard input is closed")
    raw = sys.stdin.buffer.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KBError(f"--output -: standard input is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
                      f"{exc.start}); entries are UTF-8 text") from None


def _check_utf8(flag: str, value: str | None) -> None:
    """Arguments that were not valid UTF-8 arrive as lone surrogates, which no file can hold."""
    from kbtools.errors import KBError

    if value is None:
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise KBError(f"{flag} is not valid UTF-8 text; entries are UTF-8") from None


def run(args: argparse.Namespace) -> int:
    from kbtools.errors import KBError
    from kbtools.load import load_products
    from kbtools.scaffold import NewEntry, create

    root = options.root(args)
    products, _ = load_products(root)
    interactive = sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty()
    product, component, entry_id = args.product, args.component, args.entry_id
    if not interactive:
        missing = [flag for flag, value in (("--product", product), ("--component", component),
                                            ("--id", entry_id)) if not value]
        if missing:
            raise KBError(f"{', '.join(missing)} required when not on a terminal (see `kb new --help`)")
    if not product:
        product = _ask("product", sorted(products) or None)
    if not component:
        known = list(products[product].components) if product in products else None
        component = _ask("component", known)
    if not entry_id:
        entry_id = _ask("id (lowercase-slug, e.g. postgres-too-old)")
    output = args.output
    if output == "-":
        output = _stdin_text()
    for flag, value in (("--title-zh", args.title_zh), ("--title-en", args.title_en), ("--output", output),
                        ("--command", args.symptom_command), ("--log", args.log)):
        _check_utf8(flag, value)
    new = NewEntry(product=product, component=component, id=entry_id, command=args.symptom_command or "",
                   log=args.log or "")
    if args.title_zh:
        new.title_zh = args.title_zh
    if args.title_en:
        new.title_en = args.title_en
    if output:
        new.output = output
    path = create(root, new, products)
    print(path)
    print(f"Fill in every TODO, then run: kb validate {path}", file=sys.stderr)
    return 0
