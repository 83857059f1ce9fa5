"""Example objects of the main resources, as the OpenAPI document shows them (by schema component)."""

from __future__ import annotations

from typing import Any

TENANT_ID = "8fc69167-8d6d-4af2-9af3-f85008a7ad16"
PAGE_ID = "188bc488-52d4-48a5-a111-535afae98224"
STAMPS = {"createdAt": "2026-11-23T20:31:00Z", "updatedAt": "2026-11-24T09:12:00Z"}

EXAMPLES: dict[str, dict[str, Any]] = {
    "Tenant": {
        "id": TENANT_ID,
        "name": "Acme Bakery",
        "subdomain": "acme-bakery",
        "customDomain": "www.acmebakery.example",
        "status": "active",
        "industryId": "45b84fba-b7ab-4ba7-a255-8598691013c6",
        "settings": {"locale": "en"},
        **STAMPS,
    },
    "Page": {
        "id": PAGE_ID,
        "tenantId": TENANT_ID,
        "title": "Spring menu",
        "slug": "spring-menu",
        "description": "Seasonal dishes, March to May",
        "status": "published",
        "isHomepage": False,
        "sortOrder": 2,
        "templateId": None,
        "publishedAt": "2026-11-24T09:00:00Z",
        "publishAt": None,
        "unpublishAt": "2027-06-01T00:00:00Z",
        "createdBy": "49f06163-962c-4074-830f-55d9dd718247",
        **STAMPS,
    },
    "Section": {
        "id": "a516e92d-3151-485c-8e95-5a25c7d4771c",
        "pageId": PAGE_ID,
        "type": "hero",
        "content": {"title": "Spring is here", "bodyHtml": "<p>Fresh <strong>every</strong> morning.</p>"},
        "sortOrder": 0,
        "isVisible": True,
        **STAMPS,
    },
    "Webhook": {
        "id": "6fad99cf-2ead-4be6-a15d-92f87f12a00a",
        "url": "https://hooks.acmebakery.example/siteninja",
        "events": ["page.published", "page.updated"],
        "description": "Rebuild the static site",
        "isActive": True,
        "failureCount": 0,
        "disabledAt": None,
        "disabledReason": None,
        "lastDeliveryAt": "2026-11-24T09:00:02Z",
        **STAMPS,
    },
    "ApiKey": {
        "id": "ea572e78-227e-4c71-a100-1f1913c7f306",
        "tenantId": TENANT_ID,
        "name": "Storefront sync",
        "environment": "live",
        "prefix": "sn_live_Ab3x",
        "last4": "9QzT",
        "scopes": ["pages:read", "navigation:read"],
        "rateLimit": None,
        "expiresAt": None,
        "revokedAt": None,
        "lastUsedAt": "2026-11-24T08:59:41Z",
        "createdBy": "49f06163-962c-4074-830f-55d9dd718247",
        **STAMPS,
    },
}


def schema_examples() -> dict[str, dict[str, Any]]:
    """``components.schemas`` entries that add an ``example`` to each main resource's schema."""
    return {name: {"example": example} for name, example in EXAMPLES.items()}
