"""Navigation rules: one target per item, depth ≤ 3, no cycles, children follow their parent."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from siteninja.core.errors import NotFound, ValidationFailed
from siteninja.core.tenancy import get_for_tenant_or_404, lock_tenant
from siteninja.extensions import db
from siteninja.resources.navigation.models import NAV_LOCATIONS, NavigationItem
from siteninja.resources.pages.models import Page
from siteninja.services import audit

MAX_DEPTH = 3
RESOURCE = "navigation_item"
SIBLING_ORDER = (NavigationItem.sort_order, NavigationItem.created_at, NavigationItem.id)
LOCATION_ORDER = sa.case(
    {name: rank for rank, name in enumerate(NAV_LOCATIONS)}, value=NavigationItem.location
)
Index = dict[uuid.UUID, NavigationItem]


@dataclass
class NavNode:
    """An item with its children, for ``?tree=true``; reads through to the item's fields."""

    item: NavigationItem
    children: list[NavNode] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        if name == "item":  # not set yet (copy, unpickling): don't recurse
            raise AttributeError(name)
        return getattr(self.item, name)


def list_items(
    *, tenant_id: uuid.UUID, location: str | None = None, tree: bool = False
) -> list[NavigationItem] | list[NavNode]:
    """The tenant's items (header first, roots first, then by sortOrder) in one query, flat or nested."""
    stmt = sa.select(NavigationItem).where(NavigationItem.tenant_id == tenant_id)
    if location:
        stmt = stmt.where(NavigationItem.location == location)
    stmt = stmt.order_by(
        LOCATION_ORDER,
        NavigationItem.parent_id.is_not(None),
        NavigationItem.parent_id,
        *SIBLING_ORDER,
    )
    items = list(db.session.scalars(stmt))
    return build_tree(items) if tree else items


def build_tree(items: Iterable[NavigationItem]) -> list[NavNode]:
    """Nest ordered items under their parents; items whose parent is absent become roots."""
    nodes = {item.id: NavNode(item) for item in items}
    roots: list[NavNode] = []
    for node in nodes.values():
        parent = nodes.get(node.item.parent_id) if node.item.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def get_item(*, tenant_id: uuid.UUID, nav_id: uuid.UUID) -> NavigationItem:
    """One of the tenant's items, else 404."""
    return get_for_tenant_or_404(NavigationItem, nav_id, tenant_id)


def create_item(*, tenant_id: uuid.UUID, data: dict[str, Any]) -> NavigationItem:
    """Create an item under an optional parent, appended to its siblings unless sortOrder is given."""
    _check_target(tenant_id, data.get("url"), data.get("page_id"), changed_page=True)
    index = _index(tenant_id)
    parent = _parent(index, data.get("parent_id"))
    _check_placement(index, parent)
    location = _location(parent, data.get("location"), current="header")
    item = NavigationItem(tenant_id=tenant_id, **{**data, "location": location})
    if "sort_order" not in data:
        item.sort_order = _next_sort_order(index, data.get("parent_id"), location)
    db.session.add(item)
    db.session.flush()
    audit.record(
        action="create",
        resource_type=RESOURCE,
        resource_id=item.id,
        tenant_id=tenant_id,
        new=audit.snapshot(item),
    )
    db.session.commit()
    return item


def update_item(item: NavigationItem, *, data: dict[str, Any]) -> NavigationItem:
    """Apply a partial update; moving an item re-checks depth and cycles and moves its subtree."""
    url, page_id = data.get("url", item.url), data.get("page_id", item.page_id)
    _check_target(item.tenant_id, url, page_id, changed_page=page_id != item.page_id)
    index = _index(item.tenant_id)
    moved = "parent_id" in data and data["parent_id"] != item.parent_id
    parent = _parent(index, data["parent_id"] if moved else item.parent_id)
    if moved:
        _check_placement(index, parent, item)
    location = _location(parent, data.get("location"), current=item.location)
    if (moved or location != item.location) and "sort_order" not in data:
        data = {**data, "sort_order": _next_sort_order(index, parent.id if parent else None, location)}
    old = audit.snapshot(item)
    for key, value in {**data, "location": location}.items():
        setattr(item, key, value)
    for descendant_id in _descendant_ids(index, item.id):
        index[descendant_id].location = location
    db.session.flush()
    audit.record(
        action="update",
        resource_type=RESOURCE,
        resource_id=item.id,
        tenant_id=item.tenant_id,
        old=old,
        new=audit.snapshot(item),
    )
    db.session.commit()
    return item


def delete_item(item: NavigationItem) -> None:
    """Delete an item; the database cascades the delete to its children (each is audited)."""
    index = _index(item.tenant_id)
    removed = [item, *(index[i] for i in _descendant_ids(index, item.id))]
    for obj in removed:
        audit.record(
            action="delete",
            resource_type=RESOURCE,
            resource_id=obj.id,
            tenant_id=obj.tenant_id,
            old=audit.snapshot(obj),
        )
    db.session.delete(item)
    db.session.flush()
    for obj in removed[1:]:
        db.session.expunge(obj)  # already gone through ON DELETE CASCADE
    db.session.commit()


def reorder(
    *, tenant_id: uuid.UUID, parent_id: uuid.UUID | None, order: list[uuid.UUID], location: str | None = None
) -> list[NavigationItem]:
    """Set the order of the items directly under ``parent_id``; ``order`` must list exactly them."""
    index = _index(tenant_id)
    _parent(index, parent_id)
    siblings = sorted(
        (i for i in index.values() if i.parent_id == parent_id and location in (None, i.location)),
        key=_sibling_key,
    )
    if len(set(order)) != len(order):
        raise ValidationFailed("Lists an item more than once", field="order")
    if set(order) != {item.id for item in siblings}:
        raise ValidationFailed("Must list exactly the items directly under that parent", field="order")
    for position, item_id in enumerate(order):
        index[item_id].sort_order = position
    db.session.flush()
    audit.record(
        action="reorder",
        resource_type=RESOURCE,
        resource_id=parent_id,
        tenant_id=tenant_id,
        old={"order": [str(item.id) for item in siblings]},
        new={"order": [str(item_id) for item_id in order]},
    )
    db.session.commit()
    return [index[item_id] for item_id in order]


def _check_target(
    tenant_id: uuid.UUID, url: str | None, page_id: uuid.UUID | None, *, changed_page: bool
) -> None:
    if (url is None) == (page_id is None):
        message = "Give exactly one of url and pageId"
        raise ValidationFailed(
            message, details=[{"field": "url", "message": message}, {"field": "pageId", "message": message}]
        )
    if page_id is not None and changed_page:
        get_for_tenant_or_404(Page, page_id, tenant_id)


def _index(tenant_id: uuid.UUID) -> Index:
    """Every item of the tenant by id (menus are small), with the tenant's menu locked for writing."""
    # Depth, cycle and sibling checks read the whole menu: two concurrent moves must not both pass.
    lock_tenant(tenant_id)
    stmt = (
        sa.select(NavigationItem)
        .where(NavigationItem.tenant_id == tenant_id)
        .execution_options(populate_existing=True)  # rows read before the lock may be stale
    )
    return {item.id: item for item in db.session.scalars(stmt)}


def _parent(index: Index, parent_id: uuid.UUID | None) -> NavigationItem | None:
    if parent_id is None:
        return None
    if parent_id not in index:
        raise NotFound("Parent navigation item not found")
    return index[parent_id]


def _check_placement(index: Index, parent: NavigationItem | None, item: NavigationItem | None = None) -> None:
    """422 when putting ``item`` (or a new leaf) under ``parent`` makes a cycle or a 4th level."""
    if parent is None:
        return
    if item is not None and (parent.id == item.id or parent.id in _descendant_ids(index, item.id)):
        raise ValidationFailed("An item cannot be moved under itself or its descendants", field="parentId")
    height = _height(index, item.id) if item is not None else 1
    if _depth(index, parent.id) + height > MAX_DEPTH:
        raise ValidationFailed(f"Navigation is at most {MAX_DEPTH} levels deep", field="parentId")


def _location(parent: NavigationItem | None, requested: str | None, *, current: str) -> str:
    """A child's location is its parent's; asking for another one is an error, not ignored."""
    if parent is None:
        return requested or current
    if requested is not None and requested != parent.location:
        raise ValidationFailed("A child item takes its parent's location", field="location")
    return parent.location


def _depth(index: Index, item_id: uuid.UUID) -> int:
    """Level of an item, the roots being 1."""
    depth, current = 1, index[item_id]
    while current.parent_id is not None and current.parent_id in index and depth <= len(index):
        depth, current = depth + 1, index[current.parent_id]
    return depth


def _children(index: Index, item_id: uuid.UUID) -> list[uuid.UUID]:
    return [child.id for child in index.values() if child.parent_id == item_id]


def _descendant_ids(index: Index, item_id: uuid.UUID) -> list[uuid.UUID]:
    found: list[uuid.UUID] = []
    pending = _children(index, item_id)
    while pending:
        child = pending.pop()
        if child not in found:
            found.append(child)
            pending.extend(_children(index, child))
    return found


def _height(index: Index, item_id: uuid.UUID) -> int:
    """Levels in the subtree rooted at ``item_id`` (1 for a leaf)."""
    return 1 + max((_height(index, child) for child in _children(index, item_id)), default=0)


def _sibling_key(item: NavigationItem) -> tuple:
    return (item.sort_order, item.created_at, str(item.id))


def _next_sort_order(index: Index, parent_id: uuid.UUID | None, location: str) -> int:
    orders = [i.sort_order for i in index.values() if i.parent_id == parent_id and i.location == location]
    return max(orders, default=-1) + 1
