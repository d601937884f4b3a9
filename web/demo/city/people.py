"""The city's residents, in bulk: what ``register_resident`` writes (a user with its name skeletons and
a home cell) with the demo's one shared password hash, and for the two granted groups (政府, 街道社区)
the audit row ``set_group`` adds."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts import lookalikes
from accounts.models import StakeholderGroup, User
from accounts.registration import username_key
from core import clock
from core.audit import AuditEntry
from core.db import Sessions, run_write
from grid.models import GridCell, Residence
from web.demo.city import CityContext, bulk_insert, bulk_insert_ids
from web.demo.grid import SURNAMES

PREFIX = "jumin"  # 居民: jumin00001 …
# a city's voices: mostly residents, then the served (vendors, shops, property firms), then the offices
SHARES = (
    (StakeholderGroup.resident, 0.80),
    (StakeholderGroup.served, 0.10),
    (StakeholderGroup.community, 0.06),
    (StakeholderGroup.government, 0.04),
)
MIDDLE = "德志秀玉海春晓文建永丽国明红桂淑家俊雪立振慧凤婷子"
LAST = "华英兰强燕庆梅明娟平辉杰敏宝珍新东斌芳军勇静磊洋艳涛超霞刚琳娜鹏飞宇浩欣怡然博雯晨阳峰岚莉"


def username(n: int) -> str:
    return f"{PREFIX}{n + 1:05d}"


def built(sessions: Sessions) -> bool:
    with sessions.read() as session:
        found = session.scalar(select(User.id).where(User.username_key == username(0)))
    return found is not None


def names(taken: set[str]) -> list[str]:
    """Three-character names in a fixed order, none of whose skeletons another account has (the
    registration refuses a look-alike of an existing name, so the city has no two 王德建)."""
    found = []
    for middle in MIDDLE:
        for last in LAST:
            for surname in SURNAMES:
                name = surname + middle + last
                if lookalikes.skeleton(name) not in taken:
                    taken.add(lookalikes.skeleton(name))
                    found.append(name)
    return found


def load(ctx: CityContext) -> dict[str, int]:
    return run_write(ctx.sessions, lambda session: _residents(session, ctx))


def _residents(session: Session, ctx: CityContext) -> dict[str, int]:
    count = ctx.scale.residents
    taken = {s for s in session.scalars(select(User.display_skeleton)) if s}
    taken |= {s for s in session.scalars(select(User.username_skeleton)) if s}
    pool = names(taken)
    if count > len(pool):
        raise ValueError(f"the name pool holds {len(pool)} names, not {count}")
    cells = list(session.scalars(select(GridCell.id).order_by(GridCell.code)))
    admin = session.scalar(select(User).where(User.username_key == "admin"))
    now, rng = clock.now(), ctx.rng
    groups = [rng.choices([g for g, _ in SHARES], [w for _, w in SHARES])[0] for _ in range(count)]
    joined = [now - timedelta(days=730 * rng.random()) for _ in range(count)]
    rows = [
        {
            "username": username(n),
            "username_key": username_key(username(n)),
            "username_skeleton": lookalikes.skeleton(username(n)),
            "display_name": pool[n],
            "display_skeleton": lookalikes.skeleton(pool[n]),
            "password_hash": ctx.password_hash,
            "stakeholder_group": groups[n],
            "is_active": True,
            "locale": "zh_CN",
            "created_at": joined[n],
        }
        for n in range(count)
    ]
    ids = bulk_insert_ids(session, User, rows)
    homes = [rng.choice(cells) for _ in ids]
    bulk_insert(
        session,
        Residence,
        (
            {"user_id": uid, "cell_id": cell, "since": joined[n]}
            for n, (uid, cell) in enumerate(zip(ids, homes, strict=True))
        ),
    )
    granted = [
        {
            "at": joined[n] + timedelta(days=1),
            "actor_id": admin.id if admin else None,
            "actor_name": admin.username if admin else "system",
            "action": "group.set",
            "target_kind": "user",
            "target_id": str(uid),
            "note": "",
            "details": {"old": StakeholderGroup.resident.value, "new": groups[n].value},
        }
        for n, uid in enumerate(ids)
        if not groups[n].self_chosen
    ]
    bulk_insert(session, AuditEntry, granted)
    ctx.residents = ids
    ctx.groups = dict(zip(ids, groups, strict=True))
    ctx.homes = dict(zip(ids, homes, strict=True))
    return {"residents": len(ids), "group grants": len(granted)}
