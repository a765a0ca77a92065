"""Knowledge-base articles (staff) and AI reply drafts built from them (RAG).

Articles live in the single table, one partition per tenant. A draft retrieves the KB sections
that best match the ticket from the tenant's KB index (BM25, fused with embeddings when a model is
configured: services/kb_retrieval.py), and the drafter writes a reply from them; drafts are
suggestions shown to staff and are never sent.
"""

from __future__ import annotations

from dataclasses import replace

from regentra.cursors import scope_of
from regentra.domain.enums import STAFF_WRITER_ROLES
from regentra.domain.ids import is_valid_id, new_id
from regentra.domain.kb import Draft, KbArticle, pick_chunks, ticket_query
from regentra.errors import ConcurrentUpdate, Conflict, NotFound
from regentra.identity import Principal
from regentra.services.ai_reviews import draft_kwargs, record_draft
from regentra.services.deps import Deps, drafter, kb_retriever, kb_store
from regentra.services.ports import Drafter, KbRetriever, KbStore, Page
from regentra.services.requests import KbArticleBody, PageQuery
from regentra.services.tickets import get_ticket


def _found(article: KbArticle | None) -> KbArticle:
    if article is None:
        raise NotFound("Article not found.")
    return article


def create_article(
    principal: Principal, req: KbArticleBody, deps: Deps, store: KbStore | None = None
) -> KbArticle:
    principal.require_staff_writer()
    now = deps.clock.now()
    article = KbArticle(
        tenant_id=principal.tenant_id,
        id=new_id(now),
        title=req.title,
        body=req.body,
        tags=tuple(req.tags),
        created_at=now,
        updated_at=now,
    )
    return (store or kb_store()).insert(article)


def get_article(principal: Principal, article_id: str, store: KbStore | None = None) -> KbArticle:
    principal.require_staff()
    if not is_valid_id(article_id):
        raise NotFound("Article not found.")
    return _found((store or kb_store()).get(principal.tenant_id, article_id))


def list_articles(principal: Principal, query: PageQuery, store: KbStore | None = None) -> Page[KbArticle]:
    """Newest first, `limit` per page (one Query), `next_cursor` to go on."""
    principal.require_staff()
    scope = scope_of("kb-articles", principal.tenant_id)
    return (store or kb_store()).list_page(principal.tenant_id, query.limit, query.cursor, scope)


def put_article(
    principal: Principal, article_id: str, req: KbArticleBody, deps: Deps, store: KbStore | None = None
) -> KbArticle:
    principal.require_staff_writer()
    store = store or kb_store()
    current = get_article(principal, article_id, store)
    changed = replace(
        current, title=req.title, body=req.body, tags=tuple(req.tags), updated_at=deps.clock.now()
    )
    try:
        return store.save(changed)
    except ConcurrentUpdate as exc:
        raise Conflict("The article changed meanwhile; read it again.") from exc


def delete_article(principal: Principal, article_id: str, store: KbStore | None = None) -> None:
    principal.require_staff_writer()
    if not is_valid_id(article_id) or not (store or kb_store()).delete(principal.tenant_id, article_id):
        raise NotFound("Article not found.")


def ai_draft(
    principal: Principal,
    ticket_id: str,
    deps: Deps,
    store: KbStore | None = None,
    retriever: KbRetriever | None = None,
    writer: Drafter | None = None,
) -> Draft:
    """A reply suggestion for the ticket from the tenant's KB: kept as an AI review, never sent."""
    principal.require_staff()
    detail = get_ticket(principal, ticket_id, deps)
    ticket = detail.ticket
    customer = [r for r in detail.replies if r.author_type == "customer"]
    latest = max(customer, key=lambda r: r.created_at).body if customer else None
    query = ticket_query(ticket.subject, ticket.description, latest)
    contact = deps.directory.get_contact(ticket.tenant_id, ticket.contact_id) if ticket.contact_id else None
    found = (retriever or kb_retriever()).retrieve(principal.tenant_id, query)  # the tenant's KB index
    chunks = pick_chunks(found.chunks)
    model = writer or drafter()
    name = contact.name if contact else ""
    draft = model.draft(name, query, chunks, **draft_kwargs(model, principal.tenant_id))
    draft = replace(draft, retrieval=found.mode)  # "bm25", hybrid, or BM25 after a failed embedding
    if principal.role in STAFF_WRITER_ROLES:  # a read-only user's draft can't be sent: no review
        record_draft(deps, ticket, detail.replies, query, chunks, draft)  # services/ai_reviews.py
    return draft
