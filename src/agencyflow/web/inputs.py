"""Input checks that every route of the pages and the API shares, before any rule runs.

A NUL character cannot be stored or compared by PostgreSQL (it would end as a server error on
one database and pass on the other): it is refused in every query parameter and in the path,
with a message naming the parameter.
"""

from __future__ import annotations

from fastapi import Request

from agencyflow.errors import ValidationError


async def refuse_nul(request: Request) -> None:
    """ValidationError when a query parameter or the path holds a NUL character."""
    for name, value in request.query_params.multi_items():
        if "\x00" in value or "\x00" in name:
            raise ValidationError(f"query parameter {name[:40]!r} contains a NUL character")
    if "\x00" in request.scope.get("path", ""):
        raise ValidationError("the address contains a NUL character")
