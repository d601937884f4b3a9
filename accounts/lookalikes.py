"""Names that pass for someone else's (仿冒): mixed scripts, confusable look-alikes, reserved titles.

- A username mixing scripts (Latin ``a`` with Cyrillic ``а``) is refused; Latin with Chinese is fine,
  as Chinese usernames often are (``xiao张``).
- Every username and display name has a *skeleton* in the spirit of Unicode TR39: NFKC, casefolded,
  each character replaced by the lowest code point it is confusable with (Unicode's confusables data,
  through the maintained ``confusable_homoglyphs`` package). A new name whose skeleton is another
  account's username or display name is refused: ``аdmin`` is ``admin``, a second ``王阿姨`` is not.
- Names that claim a role (管理员, 群议委, 网格员, admin, system …) are reserved for the site.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from confusable_homoglyphs import categories, confusables

ALLOWED_MIXES = frozenset({"LATIN", "HAN"})
# claimed titles: Chinese ones anywhere in a name, Latin ones as a whole word
RESERVED_CHINESE = (
    *("管理员", "系统", "官方", "客服", "群议委", "委员", "网格员", "网格长", "版主", "共治"),
    *("管理員", "系統", "群議委", "委員", "網格員", "網格長"),  # the same in traditional characters
)
RESERVED_LATIN = frozenset(
    {"admin", "administrator", "root", "system", "sysadmin", "moderator", "staff", "support", "official"}
    | {"gongzhi", "webmaster"}
)


@cache
def _prototypes() -> dict[str, str]:
    """Character -> the lowest code point among it and its look-alikes (loaded once per process)."""
    table: dict[str, str] = {}
    for char, alikes in confusables.confusables_data.items():
        if len(char) != 1:
            continue
        candidates = [char, *(a["c"] for a in alikes if len(a["c"]) == 1)]
        table[char] = min(candidates, key=ord)
    return table


def skeleton(text: str) -> str:
    """The form two names share when they look alike (``аdmin`` and ``admin``, ``Ｗang`` and ``wang``,
    ``王 阿姨`` and ``王阿姨``): separators, spaces and invisible characters do not tell names apart."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    table = _prototypes()
    mapped = unicodedata.normalize("NFKC", "".join(table.get(char, char) for char in folded)).casefold()
    return "".join(char for char in mapped if unicodedata.category(char)[0] not in "ZPC")


def scripts_of(text: str) -> set[str]:
    """The scripts a text's letters are written in (digits and punctuation are common to all)."""
    return {categories.alias(char) for char in text} - {"COMMON", "INHERITED"}


def is_mixed_script(text: str) -> bool:
    """True when letters of several scripts mix, beyond Latin with Chinese."""
    found = scripts_of(text)
    return len(found) > 1 and not found <= ALLOWED_MIXES


def claims_a_role(text: str) -> bool:
    """True when a name contains a reserved title: nobody registers as 管理员 or ``admin_wang``."""
    shape = skeleton(text)
    if any(skeleton(term) in shape for term in RESERVED_CHINESE):
        return True
    words = set(re.findall(r"[a-z]+", unicodedata.normalize("NFKC", text).casefold()))
    return bool(words & RESERVED_LATIN) or shape in {skeleton(term) for term in RESERVED_LATIN}
