"""The search index behind one interface: PostgreSQL ``tsvector`` + GIN, or SQLite FTS5.

``rebuild`` rewrites the index rows of the given pages in a constant number of statements; the
strategies differ only in how a row becomes searchable and how a query is matched, ranked and
snippeted. User input never reaches either query language unescaped: PostgreSQL parses it with
``websearch_to_tsquery``, FTS5 gets every term as a quoted string.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import DDL, event
from sqlalchemy.orm import Session

from siteninja.resources.pages.models import Page
from siteninja.resources.search.documents import page_text
from siteninja.resources.search.models import PageSearch
from siteninja.resources.sections.models import Section
from siteninja.resources.seo.models import SeoMetadata

FTS_TABLE = "page_search_fts"
FTS_SHADOW_TABLES = frozenset(
    {FTS_TABLE, *(f"{FTS_TABLE}_{s}" for s in ("data", "idx", "docsize", "config"))}
)
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"
CONFIG = sa.literal_column("'simple'::regconfig")
# ts_rank_cd weights {D, C, B, A}: a title match outranks many body matches.
PG_WEIGHTS = sa.literal_column("'{0, 0.05, 0.3, 1}'::float4[]")
HEADLINE = f"StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=24, MinWords=8, MaxFragments=2"
FTS_COLUMNS = "title, summary, public_body, hidden_body"
FTS_DDL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({FTS_COLUMNS}, content='page_search', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON page_search BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, {FTS_COLUMNS}) "
    "VALUES (new.id, new.title, new.summary, new.public_body, new.hidden_body); END",
    f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON page_search BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {FTS_COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.summary, old.public_body, old.hidden_body); END",
)
FTS_DROP = (
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)
_TERM = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w")

for _statement in FTS_DDL:
    event.listen(PageSearch.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in FTS_DROP:
    event.listen(PageSearch.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))


@dataclass(frozen=True)
class Hit:
    """One ranked result."""

    page_id: uuid.UUID
    title: str
    slug: str
    status: str
    score: float
    snippet: str


def rebuild(
    session: Session, changed: Mapping[uuid.UUID, uuid.UUID], deleted: Mapping[uuid.UUID, uuid.UUID]
) -> None:
    """Rewrite the index rows of ``changed`` pages and drop those of ``deleted`` ones ({page: tenant}):
    four statements whatever the number of pages or sections."""
    ids, tenants = list({*changed, *deleted}), list({*changed.values(), *deleted.values()})
    if not ids:
        return
    rows = _rows(session, list(changed), list(set(changed.values()))) if changed else []
    session.execute(
        sa.delete(PageSearch).where(PageSearch.page_id.in_(ids), PageSearch.tenant_id.in_(tenants))
    )
    if rows:
        session.execute(_insert(session), rows)


def _rows(session: Session, ids: list[uuid.UUID], tenants: list[uuid.UUID]) -> list[dict[str, Any]]:
    pages = session.execute(
        sa.select(Page, SeoMetadata)
        .outerjoin(SeoMetadata, SeoMetadata.page_id == Page.id)
        .where(Page.id.in_(ids), Page.tenant_id.in_(tenants))
    ).all()
    sections: dict[uuid.UUID, list[tuple[dict, bool]]] = {}
    stmt = (
        sa.select(Section.page_id, Section.content, Section.is_visible)
        .where(Section.page_id.in_(ids), Section.tenant_id.in_(tenants))
        .order_by(Section.page_id, Section.sort_order, Section.created_at, Section.id)
    )
    for page_id, content, visible in session.execute(stmt):
        sections.setdefault(page_id, []).append((content or {}, visible))
    rows = []
    for page, seo in pages:
        text = page_text(
            title=page.title, description=page.description, seo=seo, sections=sections.get(page.id, [])
        )
        rows.append(
            {"p_page": page.id, "p_tenant": page.tenant_id, **{f"p_{k}": v for k, v in vars(text).items()}}
        )
    return rows


def _insert(session: Session) -> sa.Insert:
    values: dict[str, Any] = {
        "page_id": sa.bindparam("p_page"),
        "tenant_id": sa.bindparam("p_tenant"),
        "title": sa.bindparam("p_title"),
        "summary": sa.bindparam("p_summary"),
        "public_body": sa.bindparam("p_public_body"),
        "hidden_body": sa.bindparam("p_hidden_body"),
    }
    if _dialect(session) == "postgresql":
        head = _weighted("p_title", "A").op("||")(_weighted("p_summary", "B"))
        values["public_document"] = head.op("||")(_weighted("p_public_body", "C"))
        values["document"] = values["public_document"].op("||")(_weighted("p_hidden_body", "C"))
    return sa.insert(PageSearch).values(values)


def _weighted(param: str, weight: str) -> Any:
    return sa.func.setweight(sa.func.to_tsvector(CONFIG, sa.bindparam(param, type_=sa.Text)), weight)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def search(
    session: Session, *, tenant_id: uuid.UUID, q: str, status: str | None, public: bool, page: int, limit: int
) -> tuple[list[Hit], int]:
    """One page of ranked hits and the total: two queries."""
    strategy = _postgres if _dialect(session) == "postgresql" else _sqlite
    return strategy(
        session,
        tenant_id=tenant_id,
        q=q,
        status="published" if public else status,
        public=public,
        page=page,
        limit=limit,
    )


def mark(snippet: str) -> str:
    """A snippet as HTML-safe text whose matches are wrapped in ``<mark>``."""
    escaped = html.escape(snippet or "", quote=False)
    return escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


def _postgres(session: Session, *, tenant_id, q, status, public, page, limit) -> tuple[list[Hit], int]:
    query = sa.func.websearch_to_tsquery(CONFIG, sa.bindparam("q", q, type_=sa.Text))
    document = PageSearch.public_document if public else PageSearch.document
    body = (
        PageSearch.public_body
        if public
        else sa.func.concat_ws(" ", PageSearch.public_body, PageSearch.hidden_body)
    )
    where = [PageSearch.tenant_id == tenant_id, Page.tenant_id == tenant_id, document.op("@@")(query)]
    if status:
        where.append(Page.status == status)
    score = sa.func.ts_rank_cd(PG_WEIGHTS, document, query)
    ranked = (
        sa.select(
            Page.id,
            Page.title,
            Page.slug,
            Page.status,
            score.label("score"),
            PageSearch.summary,
            body.label("body"),
        )
        .join(PageSearch, PageSearch.page_id == Page.id)
        .where(*where)
        .order_by(sa.desc("score"), Page.title, Page.id)
        .limit(limit)
        .offset((page - 1) * limit)
        .subquery()
    )
    text = sa.func.concat_ws(" ", ranked.c.title, ranked.c.summary, ranked.c.body)
    headline = sa.func.ts_headline(CONFIG, text, query, HEADLINE)
    stmt = sa.select(
        ranked.c.id, ranked.c.title, ranked.c.slug, ranked.c.status, ranked.c.score, headline
    ).order_by(ranked.c.score.desc(), ranked.c.title, ranked.c.id)
    total = session.scalar(
        sa.select(sa.func.count())
        .select_from(Page)
        .join(PageSearch, PageSearch.page_id == Page.id)
        .where(*where)
    )
    hits = [Hit(r[0], r[1], r[2], r[3], round(float(r[4]), 6), mark(r[5])) for r in session.execute(stmt)]
    return hits, total or 0


def fts5_query(q: str) -> str | None:
    """``q`` as an FTS5 expression of quoted terms (phrases kept), or None when no term has a word
    character; nothing the user types is read as FTS5 syntax."""
    terms = []
    for phrase, word in _TERM.findall(q):
        term = phrase or word
        if _WORD.search(term):
            terms.append('"' + term.replace('"', '""') + '"')
    return " ".join(terms) or None


def _sqlite(session: Session, *, tenant_id, q, status, public, page, limit) -> tuple[list[Hit], int]:
    expression = fts5_query(q)
    if expression is None:
        return [], 0
    if public:
        expression = "{title summary public_body} : (" + expression + ")"
    weights = "10.0, 4.0, 1.0, 0.0" if public else "10.0, 4.0, 1.0, 1.0"
    where = f"{FTS_TABLE} MATCH :expression AND s.tenant_id = :tenant AND p.tenant_id = :tenant" + (
        " AND p.status = :status" if status else ""
    )
    tables = f"{FTS_TABLE} JOIN page_search s ON s.id = {FTS_TABLE}.rowid JOIN pages p ON p.id = s.page_id"
    params = {
        "expression": expression,
        "tenant": tenant_id.hex,
        "status": status,
        "limit": limit,
        "offset": (page - 1) * limit,
    }
    rows = session.execute(
        sa.text(
            f"SELECT p.id, p.title, p.slug, p.status, bm25({FTS_TABLE}, {weights}) AS rank, "
            f"snippet({FTS_TABLE}, -1, char(2), char(3), '…', 16) FROM {tables} WHERE {where} "
            "ORDER BY rank, p.title, p.id LIMIT :limit OFFSET :offset"
        ),
        params,
    ).all()
    total = session.scalar(sa.text(f"SELECT count(*) FROM {tables} WHERE {where}"), params)
    hits = [Hit(uuid.UUID(str(r[0])), r[1], r[2], r[3], round(-float(r[4]), 6), mark(r[5])) for r in rows]
    return hits, total or 0
