"""Registration rules and the new account itself.

Checking is split from writing so the web layer can hash the password (slow, capped) before any
transaction begins: ``check_new_account`` is pure, ``register`` only writes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts import lookalikes
from accounts.models import StakeholderGroup, User
from core import clock
from core.errors import N_, FieldErrors, Invalid

USERNAME_RE = re.compile(r"^\w[\w.\-]*$")
USERNAME_MIN, USERNAME_MAX = 3, 30
PASSWORD_MIN, PASSWORD_MAX = 8, 128
DISPLAY_NAME_MAX = 40

# The most common passwords in published leak lists, Chinese ones included (woaini = "I love you").
COMMON_PASSWORDS = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "password",
        "password1",
        "11111111",
        "00000000",
        "88888888",
        "66666666",
        "qwertyui",
        "qwerty123",
        "iloveyou",
        "woaini1314",
        "woaini520",
        "5201314520",
        "a1234567",
        "abc12345",
        "abcd1234",
        "aa123456",
        "1qaz2wsx",
        "zxcvbnm123",
        "qwertyuiop",
        "123123123",
        "147258369",
        "987654321",
        "password123",
        "admin123",
        "gongzhi123",
    ]
)


def has_control_characters(text: str) -> bool:
    """True if ``text`` holds control, format or unassigned characters (invisible or dangerous)."""
    return any(unicodedata.category(char)[0] == "C" for char in text)


def username_key(username: str) -> str:
    """The form a username is unique in: NFKC-normalised and casefolded."""
    return unicodedata.normalize("NFKC", username).casefold()


def check_username(errors: FieldErrors, username: str) -> None:
    """Add a message for a malformed username (its form only: taken and look-alike come later)."""
    if not username:
        errors.add("username", N_("Enter a username."))
    elif has_control_characters(username):
        errors.add("username", N_("The username contains characters that cannot be used."))
    elif not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        errors.add(
            "username",
            N_("A username has %(min)s to %(max)s characters."),
            min=USERNAME_MIN,
            max=USERNAME_MAX,
        )
    elif not USERNAME_RE.match(username):
        errors.add(
            "username", N_("Use letters, Chinese characters, digits, dots, hyphens and underscores only.")
        )
    elif len(username_key(username)) > USERNAME_MAX:  # ﷺ is one character and eighteen compared
        errors.add("username", N_("Some characters of this username count as several. Choose a shorter one."))
    elif lookalikes.is_mixed_script(username):
        errors.add("username", N_("A username cannot mix alphabets (such as Latin and Cyrillic letters)."))
    elif lookalikes.claims_a_role(username):
        errors.add("username", N_("This name is kept for the site's own roles. Choose another."))


def check_password(errors: FieldErrors, password: str, username: str = "", field: str = "password") -> None:
    """Add a message for a weak or malformed password."""
    if not password:
        errors.add(field, N_("Enter a password."))
    elif has_control_characters(password):
        errors.add(field, N_("The password contains characters that cannot be used."))
    elif len(password) < PASSWORD_MIN:
        errors.add(field, N_("A password needs at least %(min)s characters."), min=PASSWORD_MIN)
    elif len(password) > PASSWORD_MAX:
        errors.add(field, N_("A password has at most %(max)s characters."), max=PASSWORD_MAX)
    elif password.lower() in COMMON_PASSWORDS or len(set(password)) < 3:
        errors.add(field, N_("This password is too easy to guess. Choose a less common one."))
    elif username and username_key(username) in username_key(password):
        errors.add(field, N_("The password must not contain the username."))


def check_new_account(
    *,
    username: str,
    password: str,
    password_again: str,
    display_name: str,
    group: str,
    is_taken: Callable[[str], bool] | None = None,
    looks_like: Callable[[str, str], set[str]] | None = None,
) -> StakeholderGroup:
    """Validate a registration form and return the chosen group. ``is_taken`` looks the username up and
    ``looks_like`` names the fields that pass for another account's names, so every problem is
    reported at once; ``register`` checks the username again when it writes."""
    errors = FieldErrors()
    check_username(errors, username)
    if "username" not in errors and is_taken is not None and is_taken(username):
        errors.add("username", N_("This username is taken. Choose another."))
    check_password(errors, password, username)
    if "password" not in errors and password != password_again:
        errors.add("password_again", N_("The two passwords do not match."))
    if has_control_characters(display_name):
        errors.add("display_name", N_("The name contains characters that cannot be used."))
    elif len(display_name) > DISPLAY_NAME_MAX:
        errors.add("display_name", N_("A name has at most %(max)s characters."), max=DISPLAY_NAME_MAX)
    elif display_name and lookalikes.claims_a_role(display_name):
        errors.add("display_name", N_("This name is kept for the site's own roles. Choose another."))
    for field in sorted(looks_like(username, display_name) if looks_like else ()):
        errors.add(field, N_("This name looks like another member's. Choose one that cannot be mistaken."))
    chosen = _self_chosen_group(group)
    if chosen is None:
        errors.add(
            "group",
            N_(
                "Choose resident or managed-and-served. Government and community "
                "groups are granted by an administrator."
            ),
        )
    errors.raise_if_any()
    assert chosen is not None
    return chosen


def _self_chosen_group(value: str) -> StakeholderGroup | None:
    try:
        group = StakeholderGroup(value)
    except ValueError:
        return None
    return group if group.self_chosen else None


def lookalike_fields(session: Session, username: str, display_name: str) -> set[str]:
    """Which of the two names (``username``, ``display_name``) look like an existing account's names."""
    shapes = {"username": lookalikes.skeleton(username)}
    if display_name.strip():
        shapes["display_name"] = lookalikes.skeleton(display_name)
    wanted = set(shapes.values())
    rows = session.execute(
        select(User.username_skeleton, User.display_skeleton).where(
            or_(User.username_skeleton.in_(wanted), User.display_skeleton.in_(wanted))
        )
    ).all()
    seen = {shape for row in rows for shape in row if shape}
    return {field for field, shape in shapes.items() if shape in seen}


def is_username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(User.id).where(User.username_key == username_key(username))) is not None


def register(
    session: Session,
    *,
    username: str,
    password_hash: str,
    group: StakeholderGroup,
    display_name: str = "",
) -> User:
    """Create an account (注册). ``Invalid`` if the username is taken, also in a race with another request."""
    if is_username_taken(session, username):
        raise Invalid("username", N_("This username is taken. Choose another."))
    user = User(
        username=username,
        username_key=username_key(username),
        username_skeleton=lookalikes.skeleton(username),
        display_skeleton=lookalikes.skeleton(display_name) if display_name.strip() else None,
        display_name=display_name.strip(),
        password_hash=password_hash,
        group=group,
        created_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise Invalid("username", N_("This username is taken. Choose another.")) from None
    return user
