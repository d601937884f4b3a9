import pytest

from deliberation.forums import threads


@pytest.fixture
def thread(session, cast):
    """A thread by 王阿姨 on her cell's board (made with the cell)."""
    started = threads.start_thread(
        session, cast.wang_ayi, board_slug=cast.cell.code, title="人民路早点摊", body="能不能划定固定摊位？"
    )
    session.flush()
    return started
