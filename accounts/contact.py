"""A person's optional e-mail and phone: only for notifications they ask for, shown to staff only."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.registration import has_control_characters
from core.errors import N_, FieldErrors

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# mainland mobile numbers, optionally written with +86; other numbers as 6 to 20 digits
PHONE_RE = re.compile(r"^(\+?86)?1[3-9]\d{9}$|^\+?\d{6,20}$")


def update_contact(session: Session, user: User, *, email: str, phone: str) -> User:
    """Set or clear the e-mail address and phone number (both optional)."""
    errors = FieldErrors()
    email, phone = email.strip(), re.sub(r"[\s-]", "", phone)
    if email and (len(email) > 254 or has_control_characters(email) or not EMAIL_RE.match(email)):
        errors.add("email", N_("Enter an e-mail address like name@example.com, or leave it empty."))
    if phone and not PHONE_RE.match(phone):
        errors.add("phone", N_("Enter a mobile number like 13800138000, or leave it empty."))
    errors.raise_if_any()
    user.email, user.phone = email or None, phone or None
    return user
