"""Saved scenarios in SQLite and in a real PostgreSQL server: migrations, round trips, ids."""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immiplan.server.settings import normalise_url
from immiplan.server.storage import ID_ALPHABET, Store, open_store, valid_id

TEXT = "name: mon-plan\ntitle: {fr: « Plan à 45 000 », en: “Plan at 45,000”}\n# é ü — 中文\n"


def _save(store: Store, text: str = TEXT, name: str = "mon-plan"):
    digest = hashlib.sha256(text.encode()).hexdigest()
    return store.save(name, text, digest, "9.9.9")


def test_migrations_create_the_table_once(database_url: str) -> None:
    url = normalise_url(database_url)
    first = open_store(url)
    record = _save(first)
    first.close()
    again = open_store(url)  # upgrading an up-to-date database changes nothing
    assert again.get(record.id) == record
    with again.engine.connect() as connection:
        version = connection.execute(sa.text("select version_num from alembic_version")).scalar()
        columns = {c["name"] for c in sa.inspect(connection).get_columns("saved_scenarios")}
    assert version == "0001"
    assert columns == {"id", "name", "yaml", "sha256", "immiplan_version", "created_at"}
    again.close()


def test_round_trip_keeps_the_text_byte_for_byte(store: Store) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    record = _save(store)
    got = store.get(record.id)
    assert got is not None
    assert got.yaml == TEXT
    assert got.sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
    assert got.immiplan_version == "9.9.9"
    assert got.name == "mon-plan"
    assert got.created_at.tzinfo is not None
    assert before <= got.created_at <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)


def test_ids_are_short_unique_and_unambiguous(store: Store) -> None:
    ids = {_save(store).id for _ in range(60)}
    assert len(ids) == 60
    for scenario_id in ids:
        assert valid_id(scenario_id)
        assert not set(scenario_id) & set("01ilo")
    assert set("".join(ids)) <= set(ID_ALPHABET)


def test_list_newest_first_with_paging_and_delete(store: Store) -> None:
    records = [_save(store, TEXT + f"# {i}\n", f"plan-{i}") for i in range(5)]
    listed = store.list(limit=100)
    assert {r.id for r in listed} == {r.id for r in records}
    stamps = [r.created_at for r in listed]
    assert stamps == sorted(stamps, reverse=True)
    assert len(store.list(limit=2)) == 2
    assert len(store.list(limit=2, offset=4)) == 1
    assert store.delete(records[0].id)
    assert store.get(records[0].id) is None
    assert not store.delete(records[0].id)
    assert len(store.list()) == 4


def test_malformed_ids_find_nothing(store: Store) -> None:
    for bad in ("", "x", "' OR 1=1 --", "ABCDEFGH", "aaaaaaaaa", "../../etc"):
        assert store.get(bad) is None
        assert not store.delete(bad)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        min_size=1,
        max_size=400,
    )
)
def test_any_text_round_trips(store: Store, text: str) -> None:
    record = _save(store, text)
    got = store.get(record.id)
    assert got is not None and got.yaml == text


def test_sqlite_runs_in_wal_mode_with_full_sync(sqlite_url: str) -> None:
    opened = open_store(sqlite_url)
    with opened.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA synchronous")).scalar() == 2  # FULL
    opened.close()


def test_an_unreachable_database_is_one_clear_error() -> None:
    import pytest

    from immiplan.errors import InputError

    with pytest.raises(InputError) as caught:
        open_store("postgresql+psycopg://someone:secret@127.0.0.1:1/nowhere")
    assert "cannot open the database" in str(caught.value)
    assert "secret" not in str(caught.value)
