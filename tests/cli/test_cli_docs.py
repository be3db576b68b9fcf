"""resources/docs/CLI.md stays in step with the parser: every command, report, kind and option is in it."""

from __future__ import annotations

import argparse
from pathlib import Path

from ostandari_desk.cli import build_parser as _parser
from ostandari_desk.services.transfer import KINDS

DOC = Path(__file__).resolve().parents[2] / "resources" / "docs" / "CLI.md"


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings if o.startswith("--") and o != "--help"}


def test_every_command_and_option_is_documented():
    doc = DOC.read_text(encoding="utf-8")
    missing = []
    for name, command in _subcommands(_parser()).items():
        if name == "gui":
            continue
        subs = _subcommands(command)
        for sub_name, sub in (subs or {"": command}).items():
            line = f"ostandari-desk {name}"
            if line not in doc or (sub_name and sub_name not in doc):
                missing.append(f"{name} {sub_name}".strip())
            missing += [f"{name} {sub_name} {o}" for o in sorted(_options(sub)) if o not in doc]
    assert not missing, missing
    assert "KIND: " + " ".join(KINDS) in doc
    for variable in ("OSTANDARI_DESK_USER", "OSTANDARI_DESK_PASSWORD", "OSTANDARI_DESK_NEW_PASSWORD"):
        assert variable in doc


def test_the_import_templates_travel_with_the_app():
    doc = (DOC.parent / "IMPORT_TEMPLATES.md").read_text(encoding="utf-8")
    for kind in KINDS:
        assert f"(`{kind}`)" in doc, kind
