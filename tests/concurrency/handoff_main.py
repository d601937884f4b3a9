"""One process pressing "转办网格" for the concurrency tests, at an agreed moment.

python -m tests.concurrency.handoff_main DATABASE_URL USER_ID CONSULTATION_ID START_AT
Prints "handed <case number>" or "refused".
"""

from __future__ import annotations

import sys
import time

from accounts.models import User
from core.db import Sessions, make_engine, run_write
from core.errors import Conflict
from core.settings import Secret, Settings
from deliberation.consultations import handoff
from web import wiring


def main() -> None:
    url, user_id, consultation_id, start_at = (
        sys.argv[1],
        int(sys.argv[2]),
        int(sys.argv[3]),
        float(sys.argv[4]),
    )
    settings = Settings(
        database_url=url,
        secret_key=Secret("x" * 40),
        var_dir=None,  # type: ignore[arg-type]
        index_dir=None,  # type: ignore[arg-type]
        upload_dir=None,  # type: ignore[arg-type]
        threads=2,
    )
    wiring.setup()  # the subscribers the app has: the case's first step reaches the consultation
    sessions = Sessions(make_engine(settings))
    time.sleep(max(0.0, start_at - time.time()))
    try:
        case = run_write(
            sessions,
            lambda s: handoff.hand_off(s, s.get(User, user_id), consultation_id, class_id=None).number,
        )
        print("handed", case)
    except Conflict:
        print("refused")


if __name__ == "__main__":
    main()
