"""Row-level security: through a service's own role one tenant cannot read or change another's
rows, even with hand-written SQL, and the role owns nothing."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.common.settings import SERVICES
from tests.support.clinic import new_clinic
from tests.support.fresh import asyncpg_dsn


async def app_connection(settings, service="plans"):
    return await asyncpg.connect(asyncpg_dsn(settings, f"momentum_{service}", settings.database.app_password))


async def test_tenant_a_cannot_see_or_touch_tenant_b(stack):
    handlers = stack.runtimes["plans"].components.people
    clinic_a = await new_clinic(handlers, stack.settings)
    clinic_b = await new_clinic(handlers, stack.settings)
    conn = await app_connection(stack.settings)
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(clinic_a.tenant_id))
            visible = await conn.fetch("SELECT tenant_id FROM plans.users")
            assert {row["tenant_id"] for row in visible} == {clinic_a.tenant_id}
            assert await conn.fetchval("SELECT count(*) FROM plans.users WHERE tenant_id = $1", clinic_b.tenant_id) == 0
            updated = await conn.execute("UPDATE plans.users SET display_name = 'pwned' WHERE tenant_id = $1", clinic_b.tenant_id)
            assert updated == "UPDATE 0"
            deleted = await conn.execute("DELETE FROM plans.tenants WHERE tenant_id = $1", clinic_b.tenant_id)
            assert deleted == "DELETE 0"
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(
                    "INSERT INTO plans.users (user_id, tenant_id, role, display_name) VALUES ($1, $2, 'patient', 'x')",
                    uuid.uuid4(), clinic_b.tenant_id,
                )
        # The tenant was set transaction-locally: the next transaction on this pooled connection sees nothing.
        async with conn.transaction():
            assert await conn.fetchval("SELECT count(*) FROM plans.users") == 0
    finally:
        await conn.close()


async def test_no_tenant_set_sees_nothing(stack):
    await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    conn = await app_connection(stack.settings)
    try:
        assert await conn.fetchval("SELECT count(*) FROM plans.users") == 0
        assert await conn.fetchval("SELECT count(*) FROM plans.tenants") == 0
    finally:
        await conn.close()


async def test_service_roles_own_nothing_cannot_bypass_rls_and_stay_in_their_schema(stack):
    owner = await asyncpg.connect(asyncpg_dsn(stack.settings, "momentum_owner", stack.settings.database.owner_password))
    try:
        roles = [f"momentum_{s}" for s in SERVICES]
        owned = await owner.fetch(
            "SELECT schemaname, tablename, tableowner FROM pg_tables WHERE tableowner = ANY($1::text[])", roles
        )
        assert owned == []
        bypass = await owner.fetch(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[]) AND (rolbypassrls OR rolsuper)", roles
        )
        assert bypass == []
        unforced = await owner.fetch(
            """
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1::text[])
              AND coalesce(obj_description(c.oid, 'pg_class'), '') NOT LIKE 'platform:%' AND c.relispartition = false
              AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
            """,
            list(SERVICES),
        )
        assert unforced == [], "tenant tables without forced row-level security"
    finally:
        await owner.close()
    streaks_role = await app_connection(stack.settings, "streaks")
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await streaks_role.fetch("SELECT * FROM plans.users")
    finally:
        await streaks_role.close()


# A column with one of these names ties a row to a clinic or a patient: such a table is tenant data.
_TENANT_OR_PATIENT = ("tenant_id", "clinic_id", "patient_id")


async def test_every_table_holding_a_clinic_or_patient_id_has_forced_rls_or_a_platform_declaration(stack):
    """Every table of every service schema (enumerated from pg_class, so a table added tomorrow is covered) with
    a tenant, clinic or patient id column — `patient_id`, `<anything>_patient_id` too — has row-level security
    enabled and forced, or is declared platform data by a `platform: <why>` comment."""
    owner = await asyncpg.connect(asyncpg_dsn(stack.settings, "momentum_owner", stack.settings.database.owner_password))
    try:
        rows = await owner.fetch(
            """
            SELECT n.nspname AS schema, c.relname AS table, array_agg(a.attname::text ORDER BY a.attname) AS columns,
                   c.relrowsecurity AND c.relforcerowsecurity AS forced,
                   coalesce(obj_description(c.oid, 'pg_class'), '') AS comment
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1::text[])
              AND (a.attname = ANY($2::text[]) OR a.attname LIKE '%\\_patient\\_id')
            GROUP BY n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity, c.oid
            """,
            list(SERVICES), list(_TENANT_OR_PATIENT),
        )
        assert len(rows) >= 20, "the enumeration found too few tables: is the query still looking at the schemas?"
        undeclared = [
            f"{r['schema']}.{r['table']} ({', '.join(r['columns'])})"
            for r in rows
            if not r["forced"] and not r["comment"].startswith("platform:")
        ]
        assert undeclared == [], "tables holding clinic or patient ids without forced RLS or a platform: comment"
        # A declaration must say why: an empty one is no reviewed decision.
        bare = [f"{r['schema']}.{r['table']}" for r in rows if r["comment"].strip() in ("platform:", "platform")]
        assert bare == []
    finally:
        await owner.close()
