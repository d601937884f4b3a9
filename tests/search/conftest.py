"""An index folder of each test's own (never the shared ``var``), and a follow helper."""

import pytest

from search import follower
from search.index import SearchIndex
from web import wiring


@pytest.fixture
def index(tmp_path) -> SearchIndex:
    wiring.setup()  # the searchable kinds, as in every process
    return SearchIndex(tmp_path / "index")


@pytest.fixture
def follow(session, sessions, index):
    """Flush the test's writes, then run one follower pass over them (it reads what was flushed)."""

    def run():
        session.flush()
        done = follower.follow(sessions, index)
        assert done.held
        return done

    return run
