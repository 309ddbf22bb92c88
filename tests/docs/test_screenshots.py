"""docs/console.md and docs/screenshots.py agree: every image the guide shows is one the script
makes, with the script's caption as its alt text, and is there; every console image in docs/ is
shown; each is a small PNG at the size the script takes it. No browser: the images themselves
are made by running the script (see docs/console.md, "Screenshots")."""

from __future__ import annotations

import importlib.util
import re
import struct
import sys

import pytest

from tests.support import ROOT

DOCS = ROOT / "docs"
GUIDE = DOCS / "console.md"
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


def script():
    spec = importlib.util.spec_from_file_location("docs_screenshots", DOCS / "screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def made_by_the_script() -> dict[str, str]:
    made: dict[str, str] = {}
    for shot in script().SHOTS:
        made.update(shot.images())
    return made


def shown_in_the_guide() -> dict[str, str]:
    return {path: alt for alt, path in IMAGE.findall(GUIDE.read_text(encoding="utf-8"))}


def test_every_image_the_guide_shows_is_made_by_the_script_with_its_caption_and_is_there():
    made = made_by_the_script()
    shown = shown_in_the_guide()
    assert shown, "docs/console.md shows no image"
    for path, alt in shown.items():
        assert path in made, f"docs/console.md shows {path}, which docs/screenshots.py does not make"
        assert alt == made[path], f"{path}: the alt text is not the script's caption {made[path]!r}"
        assert (DOCS / path).is_file(), f"{path} is missing: run .venv/bin/python docs/screenshots.py"


def test_every_console_image_in_docs_is_shown_in_the_guide():
    shown = shown_in_the_guide()
    on_disk = sorted(p.name for p in DOCS.glob("console-*.png"))
    assert on_disk
    assert [name for name in on_disk if name not in shown] == []


def test_each_image_is_a_small_png_at_the_size_it_was_taken():
    module = script()
    for path in DOCS.glob("console-*.png"):
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", path.name
        width, height = struct.unpack(">II", data[16:24])
        expected = module.PHONE if path.stem.endswith("-phone") else module.DESKTOP
        assert (width, height) == (expected["width"], expected["height"]), path.name
        assert len(data) <= module.LIMIT, f"{path.name}: {len(data)} bytes"


def test_the_shots_have_distinct_names_and_captions():
    shots = script().SHOTS
    assert len({s.name for s in shots}) == len(shots)
    assert len({s.caption for s in shots}) == len(shots)


def test_the_script_lists_its_shots_and_refuses_a_name_it_does_not_know(capsys):
    module = script()
    assert module.main(["--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == [s.name for s in module.SHOTS]
    assert "(and on a phone)" in next(line for line in listed if line.startswith("oncall "))
    with pytest.raises(SystemExit) as exited:
        module.main(["--only", "clients", "no_such_page"])
    assert exited.value.code == 2
    assert "no such shot: no_such_page" in capsys.readouterr().err
