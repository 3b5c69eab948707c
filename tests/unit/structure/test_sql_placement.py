"""SQL lives in repository modules, migrations and services/common: the scan of services/ and the
scanner itself (it finds planted SQL, and prose, docstrings and comments are not SQL)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.support.sql_placement import is_sql, scan_source, scan_tree


def test_services_hold_sql_only_in_repositories_migrations_and_common() -> None:
    offences = scan_tree()
    assert not offences, "SQL outside repository modules, migrations and services/common:\n" + "\n".join(
        str(offence) for offence in offences
    )


def _plant(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")


PLANTED = '''
    """Handlers of the plans service."""

    LATE = "SELECT workout_id FROM plans.workouts WHERE status = 'scheduled'"
'''


def test_a_sql_string_planted_in_a_handler_module_is_found(tmp_path: Path) -> None:
    _plant(tmp_path, "services/plans/care/handlers.py", PLANTED)

    offences = scan_tree(tmp_path)

    assert [(o.path, o.line) for o in offences] == [("services/plans/care/handlers.py", 4)]
    assert "SELECT workout_id FROM plans.workouts" in offences[0].what


@pytest.mark.parametrize(
    "relative",
    [
        "services/plans/care/repository.py",
        "services/plans/billing_repository.py",
        "services/plans/migrations/versions/0009_more.py",
        "services/common/messaging/relay.py",
    ],
)
def test_repositories_migrations_and_common_may_hold_sql(tmp_path: Path, relative: str) -> None:
    _plant(tmp_path, relative, PLANTED)

    assert scan_tree(tmp_path) == []


def test_docstrings_and_comments_about_sql_are_not_sql() -> None:
    source = '''
        """Reads what SELECT workout_id FROM plans.workouts would give, without SQL here."""

        # SELECT * FROM plans.workouts WHERE tenant_id = :t
        class Care:
            """Like UPDATE plans.workouts SET status = 'completed', but through the repository."""

            def complete(self):  # INSERT INTO plans.audit_log (action) VALUES ('x')
                """DELETE FROM plans.workouts is never done here."""
                return "completed"
    '''
    assert scan_source(textwrap.dedent(source)) == []


@pytest.mark.parametrize(
    "prose",
    [
        "Select a plan from the list",
        "update the plan's set of exercises first",
        "delete from your device and log in again",
        "with this app as (a patient) you log workouts",
        "UPDATE",
        "the workout was created at 10:00",
    ],
)
def test_prose_is_not_sql(prose: str) -> None:
    assert not is_sql(prose)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT pg_advisory_xact_lock(:key)",
        "select id from plans.workouts where tenant_id = :t",
        "INSERT INTO plans.workouts (workout_id) VALUES (:w)",
        "insert into plans.workouts (workout_id) values (:w)",
        "UPDATE plans.exercise_logs SET pose_accuracy_score = :score",
        "update plans.exercise_logs set pose_accuracy_score = :score",
        "DELETE FROM plans.outbox WHERE published_at < now()",
        "delete from plans.outbox where published_at < now()",
        "CREATE INDEX IF NOT EXISTS workouts_by_day ON plans.workouts (local_date)",
        "ALTER TABLE plans.workouts ENABLE ROW LEVEL SECURITY",
        "drop table if exists plans.scratch",
        "WITH due AS (SELECT entrance_id FROM entrances.entrances) SELECT * FROM due",
        "  LOCK TABLE plans.outbox IN SHARE MODE",
        "VACUUM ANALYZE",
    ],
)
def test_statements_are_sql(statement: str) -> None:
    assert is_sql(statement)


def test_f_strings_and_joined_constants_are_read_whole() -> None:
    source = '''
        def queries(schema, table):
            first = f"SELECT count(*) FROM {schema}.{table}"
            second = "UPDATE plans.workouts " + "SET status = 'skipped'"
            return first, second
    '''
    assert [o.line for o in scan_source(textwrap.dedent(source))] == [3, 4]


def test_every_way_of_calling_sqlalchemy_text_is_found() -> None:
    source = '''
        import sqlalchemy
        import sqlalchemy as sa
        from sqlalchemy import text
        from sqlalchemy import text as sql
        from sqlalchemy.sql import expression

        def statements(query):
            return [text(query), sql(query), sa.text(query), sqlalchemy.text(query), expression.text(query)]

        def unrelated(response):
            return response.text()
    '''
    offences = scan_source(textwrap.dedent(source))

    assert [o.what for o in offences] == ["call of sqlalchemy text()"] * 5
    assert {o.line for o in offences} == {9}
