"""All SQL of the spent browser credentials: redeemed sign-in links and signed-out browser sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from services.common.db import UnitOfWork


@dataclass(frozen=True)
class EndedSession:
    session_id: str
    expires_at: datetime


async def spend(uow: UnitOfWork, kind: str, credential_id: str, expires_at: datetime) -> bool:
    """Records the credential as spent; False when it was spent before (the first writer wins, whichever gateway)."""
    # Forgetting what has expired anyway keeps the table as small as the live sessions' sign-outs.
    await uow.execute(text("DELETE FROM plans.browser_credentials_spent WHERE expires_at < now()"))
    row = (
        await uow.execute(
            text(
                "INSERT INTO plans.browser_credentials_spent (kind, credential_id, expires_at) "
                "VALUES (:kind, :id, :expires) ON CONFLICT DO NOTHING RETURNING credential_id"
            ),
            {"kind": kind, "id": credential_id, "expires": expires_at},
        )
    ).first()
    return row is not None


async def ended_sessions(uow: UnitOfWork, within_seconds: int) -> list[EndedSession]:
    """Sessions signed out and not yet expired; only those recorded in the last `within_seconds` unless 0."""
    rows = await uow.execute(
        text(
            "SELECT credential_id, expires_at FROM plans.browser_credentials_spent "
            "WHERE kind = 'session' AND expires_at > now() "
            "AND (:within = 0 OR recorded_at > now() - make_interval(secs => :within))"
        ),
        {"within": within_seconds},
    )
    return [EndedSession(row.credential_id, row.expires_at) for row in rows]
