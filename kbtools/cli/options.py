"""Option bundles shared by the subcommands, so that a flag means the same everywhere."""

from __future__ import annotations

import argparse
import locale
import os
from pathlib import Path

from kbtools.langs import LANGS


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30)


def add_command(sub: argparse._SubParsersAction, name: str, *, help: str, description: str,
                epilog: str | None = None) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help, description=description, epilog=epilog,
                          formatter_class=HelpFormatter)


def add_kb(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kb", metavar="DIR", type=Path,
                        help="knowledge base to use: the folder holding entries/ (default: $KB_DIR, "
                             "the checkout you are in, or the bundled KB)")


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document for tools, instead of text")


def add_lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=LANGS, default=None,
                        help="language of titles and text (default: from LC_ALL / LC_MESSAGES / LANG, else en)")


def add_colour(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--color", dest="colour", action="store_const", const=True, default=None,
                       help="colour the output even when it is not a terminal")
    group.add_argument("--no-color", dest="colour", action="store_const", const=False,
                       help="never colour the output (so does NO_COLOR=1)")


def reader_lang(explicit: str | None) -> str:
    """The reader's language: --lang, then the locale (LC_ALL, LC_MESSAGES, LANG), then English (as tldr does)."""
    if explicit:
        return explicit
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX", "C.UTF-8"):
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        current = locale.getlocale()[0] or ""
    except ValueError:
        current = ""
    return "zh" if current.lower().startswith("zh") else "en"


def root(args: argparse.Namespace) -> Path:
    from kbtools.locate import find_root

    found = find_root(getattr(args, "kb", None))
    args.root = found
    return found


def entry_paths_and_root(args: argparse.Namespace) -> tuple[list[Path] | None, Path]:
    """The entry files named on the command line (None: the whole KB) and the KB they belong to.

    Folders are expanded to their ``*.md`` files. Without --kb or KB_DIR, files are checked against
    the KB they lie in, wherever kb is run from.
    """
    from kbtools.errors import KBError
    from kbtools.locate import find_root, normalise_root

    files: list[Path] | None = None
    if args.paths:
        files = []
        for path in args.paths:
            if path.is_dir():
                files += sorted(path.rglob("*.md"))
            elif path.exists() or path.is_symlink():
                files.append(path)
            else:
                raise KBError(f"{path}: no such file or folder")
        if not files:
            raise KBError(f"no entry files (*.md) in {', '.join(map(str, args.paths))}")
    if args.kb is None and files and not os.environ.get("KB_DIR"):
        found = find_root(cwd=Path(os.path.realpath(files[0])).parent)
    else:
        found = find_root(args.kb)
    args.root = normalise_root(found)
    return files, args.root
