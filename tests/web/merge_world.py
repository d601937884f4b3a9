"""The merges' part of the authorization matrix's world: statements on the consultation collecting
views (one by 王阿姨, one by 李师傅) and a merged opinion on the one in deliberation, all by services."""

from __future__ import annotations

from sqlalchemy.orm import Session

from deliberation.merging import opinion, statements
from tests.people import Cast


def build(session: Session, cast: Cast, stages: dict[str, object]) -> dict[str, object]:
    collecting, deliberating = int(stages["collecting"]), int(stages["deliberating"])  # type: ignore[call-overload]
    hers = statements.write_statement(session, cast.wang_ayi, collecting, "早点摊位周边每天清扫。")
    his = statements.write_statement(session, cast.li_shifu, collecting, "管理费按月收，不超过一百元。")
    opinion.draft_opinion(session, cast.chen_weiyuan, deliberating, "四方都同意：摊位周边每天清扫。")
    session.flush()
    return {"merge_statement": hers.id, "merge_statement_other": his.id}
