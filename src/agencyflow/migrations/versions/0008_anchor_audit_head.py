"""The audit head is protected like the events: it only follows the chain, and only the next
event after it may be inserted

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:30:00

Triggers on both databases:

- ``audit_event``: an INSERT must be the next event after the head (``seq = head.seq + 1`` and
  ``prev_hash = head.hash``), so nothing is inserted in the middle and, on SQLite, ``INSERT OR
  REPLACE`` (which replaces a row without firing DELETE triggers) is refused;
- ``audit_head``: UPDATE only leaves it as it is (the SQLite append path's lock) or advances it by
  one to the hash of the event just appended; DELETE and TRUNCATE are refused; INSERT only creates
  the empty head of an empty trail.

Someone who can drop triggers can still rewrite the trail; that is what a checkpoint kept
outside the database (``agencyflow audit checkpoint``) catches.
"""

from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

GENESIS = "0" * 64

SQLITE = [
    """CREATE TRIGGER audit_event_append_at_head BEFORE INSERT ON audit_event
       WHEN NEW.seq IS NOT (SELECT seq + 1 FROM audit_head WHERE id = 1)
         OR NEW.prev_hash IS NOT (SELECT hash FROM audit_head WHERE id = 1)
         OR EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id OR seq = NEW.seq)
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: only the next event after the head may be inserted (INSERT OR REPLACE refused)'); END""",  # noqa: E501
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
       BEGIN SELECT RAISE(ABORT, 'audit_head is append-only: DELETE refused'); END""",
    """CREATE TRIGGER audit_head_follows_the_chain BEFORE UPDATE ON audit_head
       WHEN NOT (NEW.id = OLD.id AND ((NEW.seq = OLD.seq AND NEW.hash = OLD.hash)
         OR (NEW.seq = OLD.seq + 1
             AND NEW.hash IS (SELECT hash FROM audit_event WHERE seq = NEW.seq))))
       BEGIN SELECT RAISE(ABORT, 'audit_head only advances to the next event: UPDATE refused');
       END""",
    f"""CREATE TRIGGER audit_head_one_empty_head BEFORE INSERT ON audit_head
       WHEN EXISTS (SELECT 1 FROM audit_head) OR NEW.seq <> 0 OR NEW.hash <> '{GENESIS}'
         OR EXISTS (SELECT 1 FROM audit_event)
       BEGIN SELECT RAISE(ABORT, 'audit_head is append-only: INSERT refused'); END""",
]
SQLITE_NAMES = ["audit_event_append_at_head", "audit_head_no_delete",
                "audit_head_follows_the_chain", "audit_head_one_empty_head"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_event_append_at_head() RETURNS trigger AS $$
       BEGIN
         IF NOT EXISTS (SELECT 1 FROM audit_head
                        WHERE id = 1 AND seq + 1 = NEW.seq AND hash = NEW.prev_hash) THEN
           RAISE EXCEPTION 'audit_event is append-only: only the next event after the head may '
                           'be inserted';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_event_append_at_head BEFORE INSERT ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_at_head()""",
    f"""CREATE OR REPLACE FUNCTION audit_head_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'INSERT' THEN
           IF NEW.seq = 0 AND NEW.hash = '{GENESIS}'
              AND NOT EXISTS (SELECT 1 FROM audit_event) THEN
             RETURN NEW;
           END IF;
         ELSIF TG_OP = 'UPDATE' THEN
           IF NEW.id = OLD.id AND ((NEW.seq = OLD.seq AND NEW.hash = OLD.hash)
              OR (NEW.seq = OLD.seq + 1
                  AND NEW.hash = (SELECT hash FROM audit_event WHERE seq = NEW.seq))) THEN
             RETURN NEW;
           END IF;
         END IF;
         RAISE EXCEPTION 'audit_head is append-only: % refused', TG_OP;
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_head_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_head
       FOR EACH ROW EXECUTE FUNCTION audit_head_guard()""",
    """CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE if sqlite else POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_event_append_at_head ON audit_event")
    op.execute("DROP TRIGGER IF EXISTS audit_head_guard ON audit_head")
    op.execute("DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head")
    op.execute("DROP FUNCTION IF EXISTS audit_event_append_at_head()")
    op.execute("DROP FUNCTION IF EXISTS audit_head_guard()")
