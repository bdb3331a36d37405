"""`snakereel` command line. Each subcommand lives in its own module, which provides
`HELP` (one line), `add_arguments(parser)` and `run(args) -> int`."""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import SnakereelError

COMMANDS = {
    "doctor": "snakereel.doctor",
    "new": "snakereel.scaffold",
    "list": "snakereel.listing",
    "voices": "snakereel.tts.registry",
    "align": "snakereel.tts.align",
    "costs": "snakereel.costs",
    "write": "snakereel.writing",
    "check": "snakereel.uploadcheck",
    "youtube": "snakereel.publish",
}


def _available() -> dict:
    modules = {}
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, "run"):
            modules[name] = module
    return modules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="snakereel", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    modules = _available()
    for name, module in modules.items():
        module.add_arguments(commands.add_parser(name, help=module.HELP, description=module.HELP))
    args = parser.parse_args(argv)
    try:
        return modules[args.command].run(args)
    except SnakereelError as error:
        print(f"snakereel: {error.one_line()}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
