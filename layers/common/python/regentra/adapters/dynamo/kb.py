"""Knowledge-base articles in the single table (T#<tenant>#KB / ARTICLE#<id>)."""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, PutError

from regentra.adapters.dynamo.connection import ensure_configured
from regentra.adapters.dynamo.items import Item, KbArticleItem
from regentra.config import get_settings
from regentra.cursors import decode_cursor, encode_cursor
from regentra.domain.kb import KbArticle
from regentra.errors import ConcurrentUpdate
from regentra.services.ports import Page


def _article(item: KbArticleItem) -> KbArticle:
    return KbArticle(
        tenant_id=item.tenant_id,
        id=item.id,
        title=item.title,
        body=item.body or "",
        tags=tuple(str(t) for t in item.tags or ()),
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version or 0),
    )


def _item(article: KbArticle) -> KbArticleItem:
    item = KbArticleItem(
        tenant_id=article.tenant_id,
        id=article.id,
        title=article.title,
        body=article.body,
        tags=list(article.tags),
        created_at=article.created_at,
        updated_at=article.updated_at,
    )
    item.derive_keys()
    if article.version:
        item.version = article.version
    return item


def _condition_failed(exc: Exception) -> bool:
    cause = getattr(exc, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"


class DynamoKbStore:
    def __init__(self) -> None:
        ensure_configured()

    def insert(self, article: KbArticle) -> KbArticle:
        item = _item(article)
        item.save(condition=KbArticleItem.pk.does_not_exist())
        return _article(item)

    def get(self, tenant_id: str, article_id: str) -> KbArticle | None:
        pk, sk = KbArticleItem.key(tenant_id, article_id)
        try:
            return _article(KbArticleItem.get(pk, sk, consistent_read=True))
        except KbArticleItem.DoesNotExist:
            return None

    def save(self, article: KbArticle) -> KbArticle:
        """Conditional on the version read (pynamodb's VersionAttribute)."""
        item = _item(article)
        try:
            item.save()
        except PutError as exc:
            if _condition_failed(exc):
                raise ConcurrentUpdate("The article changed meanwhile.") from exc
            raise
        return _article(item)

    def delete(self, tenant_id: str, article_id: str) -> bool:
        pk, sk = KbArticleItem.key(tenant_id, article_id)
        try:
            KbArticleItem(pk, sk).delete(condition=KbArticleItem.pk.exists(), add_version_condition=False)
        except DeleteError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def list(self, tenant_id: str) -> list[KbArticle]:
        """Every article of the tenant, oldest first (the KB partition, page after page): for
        reindexing the tenant's KB, never a request path."""
        pk, _ = KbArticleItem.key(tenant_id, "")
        rows = KbArticleItem.query(pk, KbArticleItem.sk.startswith("ARTICLE#"), consistent_read=True)
        return [_article(i) for i in rows]

    def list_page(self, tenant_id: str, limit: int, cursor: str | None, scope: str) -> Page[KbArticle]:
        """Newest first (ids are ULIDs): one Query of `limit + 1` items; the extra one only tells
        whether a next page exists. The cursor is signed and bound to `scope`."""
        secret = get_settings().cursor_secret
        start = decode_cursor(secret, scope, cursor) if cursor else None
        pk, _ = KbArticleItem.key(tenant_id, "")
        rows = KbArticleItem.query(
            pk,
            KbArticleItem.sk.startswith("ARTICLE#"),
            scan_index_forward=False,
            last_evaluated_key=start,
            limit=limit + 1,
            page_size=limit + 1,
        )
        items = list(rows)
        if len(items) <= limit:
            return Page([_article(i) for i in items], None)
        last = items[limit - 1]
        position = {"PK": {"S": last.pk}, "SK": {"S": last.sk}}
        return Page([_article(i) for i in items[:limit]], encode_cursor(secret, scope, position))


def kb_tenants() -> set[str]:
    """Every tenant that has a KB article: a Scan of the table. Only `regentra reindex-kb` (an
    offline rebuild) calls this; tenants are not enumerable any other way, and no request path
    may scan."""
    ensure_configured()
    items = Item.scan(filter_condition=Item.kind.is_in(KbArticleItem), page_size=1000)
    return {str(i.tenant_id) for i in items if isinstance(i, KbArticleItem)}
