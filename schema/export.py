"""Write the GraphQL SDL to ``schema/schema.graphql``: ``python -m schema.export`` (``--check`` to compare).

The SDL is checked in so clients and reviewers see the contract; a test fails when it drifts from the
code and names this command.
"""

from __future__ import annotations

import sys
from pathlib import Path

from schema.build import build_schema

SDL_PATH = Path(__file__).with_name("schema.graphql")
REGENERATE = "python -m schema.export"


def sdl() -> str:
    return str(build_schema()) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    current = sdl()
    if "--check" in args:
        if not SDL_PATH.exists() or SDL_PATH.read_text() != current:
            print(f"{SDL_PATH} is out of date: run `{REGENERATE}`", file=sys.stderr)
            return 1
        return 0
    SDL_PATH.write_text(current)
    print(f"wrote {SDL_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
