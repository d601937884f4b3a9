"""Every user-facing string has its Chinese translation, with the same placeholders."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHOD_MAP = [("templates/**.html", "jinja2"), ("**.py", "python")]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted() -> set:
    messages = set()
    for package in ("core", "accounts", "grid", "volunteers", "deliberation", "search", "web", "templates"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package if package != "templates" else ROOT,
            method_map=METHOD_MAP if package == "templates" else [("**.py", "python")],
            keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)},
            directory_filter=lambda path: not Path(path).name.startswith(".") and "venv" not in path,
        ):
            if package == "templates" and not _file.startswith("templates/"):
                continue
            messages.add(message if isinstance(message, str) else tuple(message))
    return messages


def catalog(locale: str) -> dict:
    with open(ROOT / "web" / "locale" / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def test_every_message_has_a_chinese_translation():
    zh = catalog("zh_CN")
    messages = extracted()
    assert len(messages) > 150  # the extraction really found the templates and the domain messages
    missing = sorted(str(m) for m in messages if not zh.get(m) or (isinstance(m, tuple) and not all(zh[m])))
    assert missing == []


def test_translations_keep_their_placeholders():
    for msgid, msgstr in catalog("zh_CN").items():
        source = msgid if isinstance(msgid, str) else msgid[0]
        targets = [msgstr] if isinstance(msgstr, str) else list(msgstr)
        for target in targets:
            assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(target)), msgid


def test_the_english_catalog_has_the_same_messages():
    assert set(catalog("en")) == set(catalog("zh_CN"))
