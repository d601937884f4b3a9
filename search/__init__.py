"""Chinese full-text search across the platform (issue #25): Whoosh, jieba and pinyin, following the
database through a change feed.

Where it sits: ``web`` → ``search`` → ``deliberation`` → ``grid | volunteers`` → ``accounts`` → ``core``.
``search`` imports the domain models to read documents and the domain never imports ``search``, so
what each feature makes searchable is declared here, in ``search/kinds/<feature>.py``, and the
feature's ``Feature`` in ``web`` lists it. Nothing in ``search`` knows HTTP: results carry a
notification-style target (kind + id) that ``web`` turns into a link.

Making a feature's objects searchable is one declaration. For the merge statements (四意合一), say:

1. ``search/kinds/merging.py``::

       def statement_documents(session, ids):  # the one place that decides what is searchable
           rows = session.execute(
               select(Statement.id, Statement.text, Statement.created_at, Consultation.cell_code)
               .join(Consultation, ...)
               .where(Statement.id.in_(ids), Statement.status != StatementStatus.rejected)
           )
           return {r.id: Document(title=r.text, body="", updated_at=r.created_at,
                                  cells=(r.cell_code,) if r.cell_code else ()) for r in rows}

       def statement_live(session, actor, ids):  # who may see it, and how it looks now
           ...  # the same filter again, one statement for the whole page
           return {r.id: Live(title=r.text, link_kind="consultation", link_id=r.consultation_id,
                              state=N_("Statement")) for r in rows}

       STATEMENTS = Searchable(
           kind="merge_statement",
           group="consultation",          # 议题; the groups are search.registry.GROUPS
           watches=(Watch(Statement, keys=lambda row: [row.id], tracked=("text", "status")),),
           documents=statement_documents,
           live=statement_live,
           all_ids=lambda session: session.scalars(select(Statement.id)),
       )
       SEARCHABLES = (STATEMENTS,)

2. in ``web/routes/merging.py``: ``feature = Feature(..., searchables=search_merging.SEARCHABLES)``.

Public grid cases go the same way with ``group="case"``: ``documents`` leaves out dispute-sourced and
staff-only cases, ``live`` shows the case's status now and checks the viewer again. ``link_kind`` must
be a target kind some feature declares in its ``links``. Then run ``gongzhi reindex`` once (or bump
``search.index.SCHEMA_VERSION`` so every host rebuilds by itself).

How a change reaches the index: ``feed`` writes (kind, id) rows in the writer's own transaction (an
``after_flush`` listener; bulk ``update()``/``delete()`` through ``do_orm_execute``); every ``serve``
and ``worker`` process runs ``follower`` under the index folder's lock; applying a row re-reads the
object through ``documents``. ``rebuild`` is ``gongzhi reindex``; ``queries.search`` answers the page;
a missing index raises ``index.SearchUnavailable`` (503 on the search page only).
"""
