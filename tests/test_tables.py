"""samarbeid_rules.tables: event tables in (located errors, local times), result tables out (typed)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from samarbeid_rules import evaluate, evaluate_many, load_timeline
from samarbeid_rules.tables import (
    LocalTimeError,
    TableError,
    event_tables,
    localize,
    result_tables,
    timelines_from_tables,
    write_result_tables,
)
from samarbeid_rules.testing import generate_population

pd = pytest.importorskip("pandas")

OSLO = "Europe/Oslo"
PERSONS = [{"case_id": "c1", "prison_id": "p1", "person_id": "x1", "birth_date": "1990-01-01"}]
SECRET = "Kari-Nordmann-070890"  # a value that must never appear in an error


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


# --- localize at the daylight-saving boundaries (Europe/Oslo, 2025) -------------

@pytest.mark.parametrize(
    ("wall", "utc"),
    [
        ("2025-03-30T01:59:59", "2025-03-30T00:59:59+00:00"),  # last second of winter time
        ("2025-03-30T03:00:00", "2025-03-30T01:00:00+00:00"),  # first second of summer time
        ("2025-10-26T01:59:59", "2025-10-25T23:59:59+00:00"),  # before the repeated hour
        ("2025-10-26T03:00:00", "2025-10-26T02:00:00+00:00"),  # just after it
    ],
)
def test_localize_outside_the_changed_hours_needs_no_policy(wall, utc):
    """A wall time just outside the skipped or repeated hour has one reading."""
    assert localize(datetime.fromisoformat(wall), OSLO) == _utc(utc)


@pytest.mark.parametrize("wall", ["2025-03-30T02:00:00", "2025-03-30T02:59:59"])
def test_the_skipped_hour_is_an_error_by_default_and_read_by_policy(wall):
    """02:00-02:59:59 on 30 March 2025 never happened: an error, or the policy's reading."""
    t = datetime.fromisoformat(wall)
    with pytest.raises(LocalTimeError, match="skipped hour") as info:
        localize(t, OSLO)
    assert info.value.kind == "nonexistent" and wall[11:] not in str(info.value)
    earlier = localize(t, OSLO, nonexistent="earlier")
    later = localize(t, OSLO, nonexistent="later")
    assert _utc(later.isoformat()) - _utc(earlier.isoformat()) == timedelta(hours=1)
    assert earlier.utcoffset() == timedelta(hours=1) and earlier.hour == t.hour - 1  # 02:xx+02:00 = 01:xx+01:00
    assert later.utcoffset() == timedelta(hours=2) and later.hour == t.hour + 1      # 02:xx+01:00 = 03:xx+02:00


@pytest.mark.parametrize("wall", ["2025-10-26T02:00:00", "2025-10-26T02:59:59"])
def test_the_repeated_hour_is_an_error_by_default_and_read_by_policy(wall):
    """02:00-02:59:59 on 26 October 2025 happened twice: earlier is summer time, later winter time."""
    t = datetime.fromisoformat(wall)
    with pytest.raises(LocalTimeError, match="repeated hour"):
        localize(t, OSLO)
    first = localize(t, OSLO, ambiguous="earlier")
    second = localize(t, OSLO, ambiguous="later")
    assert (first.utcoffset(), second.utcoffset()) == (timedelta(hours=2), timedelta(hours=1))
    assert _utc(second.isoformat()) - _utc(first.isoformat()) == timedelta(hours=1)
    assert first.hour == second.hour == 2


def test_localize_keeps_an_offset_and_refuses_an_unknown_policy_or_zone():
    """A time with an offset is returned as is; a bad policy or zone name is a ValueError."""
    t = datetime(2025, 3, 30, 2, 30, tzinfo=timezone(timedelta(hours=1)))
    assert localize(t, OSLO) is t
    with pytest.raises(ValueError, match="ambiguous must be one of"):
        localize(datetime(2025, 1, 1), OSLO, ambiguous="first")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown time zone"):
        localize(datetime(2025, 1, 1), "Europe/Olso")


# --- tables in ----------------------------------------------------------------

def _events(changes=None):
    rows = [
        {"case_id": "c1", "type": "exclusion_started", "at": "2025-10-26 01:30", "measure_id": "m1",
         "basis": "strgjfl_37", "scope": "full"},
        {"case_id": "c1", "type": "doctor_notified", "at": "2025-10-26 03:10", "measure_id": "m1"},
        {"case_id": "c1", "type": "exclusion_ended", "at": "2025-10-26 08:00", "measure_id": "m1"},
    ]
    for (i, col), value in (changes or {}).items():
        rows[i][col] = value
    return pd.DataFrame(rows)


def _error(events, persons=PERSONS, **kw) -> TableError:
    with pytest.raises(TableError) as info:
        timelines_from_tables(events, persons, **kw)
    assert SECRET not in str(info.value)
    return info.value


def test_a_dataframe_with_local_times_becomes_a_timeline_that_judges():
    """Local times are read in the given zone; ids default to row-N; the timeline evaluates."""
    (tl,) = timelines_from_tables(_events(), pd.DataFrame(PERSONS), tz=OSLO)
    assert [e.id for e in tl.events] == ["row-1", "row-2", "row-3"]
    assert tl.events[0].at == _utc("2025-10-26T00:30:00+01:00") and tl.prison_id == "p1"
    statuses = {o.duty_id: o.status.value for o in evaluate(tl).obligations}
    assert statuses["exclusion.notify_doctor"] == "contested"  # 01:30+02:00 to 03:10+01:00: 2 h 40 min


def test_a_local_time_in_the_repeated_hour_is_a_located_error_unless_a_policy_is_given():
    """2025-10-26 02:30 without an offset: error at row and column by default; earlier/later choose."""
    err = _error(_events({(1, "at"): "2025-10-26 02:30"}), tz=OSLO)
    assert (err.row, err.column, err.case_id) == (2, "at", "c1") and "repeated hour" in err.problem
    assert "02:30" not in str(err)
    (first,) = timelines_from_tables(_events({(1, "at"): "2025-10-26 02:30"}), PERSONS, tz=OSLO,
                                     ambiguous="earlier")
    (second,) = timelines_from_tables(_events({(1, "at"): "2025-10-26 02:30"}), PERSONS, tz=OSLO,
                                      ambiguous="later")
    assert _utc(second.events[1].at.isoformat()) - _utc(first.events[1].at.isoformat()) == timedelta(hours=1)


def test_local_times_without_a_zone_are_an_error_naming_tz():
    """A naive instant without tz= is refused, at its row and column."""
    err = _error(_events())
    assert (err.row, err.column) == (1, "at") and "pass tz=" in err.problem


@pytest.mark.parametrize(
    ("changes", "row", "column", "words"),
    [
        ({(0, "measure_id"): None}, 1, "measure_id", "required field of exclusion_started is empty"),
        ({(0, "measure_id"): ""}, 1, "measure_id", "required field of exclusion_started is empty"),
        ({(0, "scope"): SECRET}, 1, "scope", "Input should be 'full' or 'partial'"),
        ({(1, "type"): SECRET}, 2, "type", "unknown event type"),
        ({(1, "type"): None}, 2, "type", "required field is empty"),
        ({(1, "scope"): "full"}, 2, "scope", "not a field of event type doctor_notified"),
        ({(2, "case_id"): None}, 3, "case_id", "required field is empty"),
        ({(2, "at"): SECRET}, 3, "at", "not an ISO 8601 date-time"),
        ({(2, "measure_id"): "m9"}, 3, "measure_id", "which no started event opens"),
    ],
)
def test_bad_cells_are_errors_with_row_and_column_never_the_value(changes, row, column, words):
    """Every bad cell names its row and column and what is wrong, and never repeats the value."""
    err = _error(_events(changes), tz=OSLO)
    assert (err.row, err.column) == (row, column), str(err)
    assert words in err.problem


def test_an_unknown_column_is_an_error_even_when_empty():
    """A column no event type has is refused: nothing is dropped."""
    events = _events()
    events["colour"] = None
    err = _error(events, tz=OSLO)
    assert err.column == "colour" and err.row is None and "unknown column" in err.problem


def test_persons_table_problems_are_located():
    """A case without a person row, a person row twice, or an unknown person column are errors."""
    err = _error(_events({(2, "case_id"): "c2"}), tz=OSLO)
    assert (err.row, err.column, err.case_id) == (3, "case_id", "c2") and "persons table" in err.problem
    err = _error(_events(), PERSONS * 2, tz=OSLO)
    assert (err.source, err.row, err.column) == ("<persons>", 2, "case_id") and "first at row 1" in err.problem
    err = _error(_events(), [{**PERSONS[0], "name": SECRET}], tz=OSLO)
    assert err.column == "name" and "unknown column" in err.problem
    err = _error(_events(), [{**PERSONS[0], "birth_date": "1990-02-30"}], tz=OSLO)
    assert (err.source, err.row, err.column) == ("<persons>", 1, "birth_date")


def test_a_person_without_events_is_a_timeline_without_events():
    """Nothing is dropped: a person row with no events gives an empty timeline."""
    tls = timelines_from_tables(_events(), [*PERSONS, {"case_id": "c2", "person_id": "x2",
                                                       "birth_date": "1980-05-05"}], tz=OSLO)
    assert [(t.case_id, len(t.events), t.prison_id) for t in tls] == [("c1", 3, "p1"), ("c2", 0, None)]


def test_csv_errors_give_the_data_row_and_the_file_line(tmp_path):
    """In CSV a quoted line break moves the line, not the row; a short row is an error."""
    events = tmp_path / "events.csv"
    events.write_text(
        "case_id,type,id,at,measure_id,basis,scope,reason\n"
        'c1,exclusion_started,x,2025-03-01T08:00+01:00,m1,strgjfl_37,full,\n'
        'c1,doctor_notified,d,2025-03-01T08:20+01:00,m1,,,\n'
        'c1,exclusion_ended,e,2025-03-01T09:00+01:00,m1,,full,\n',
        encoding="utf-8",
    )
    persons = tmp_path / "persons.csv"
    persons.write_text("case_id,prison_id,person_id,birth_date\nc1,,x1,1990-01-01\n", encoding="utf-8")
    err = _error(str(events), str(persons))
    assert err.column == "reason" and "unknown column" in err.problem
    events.write_text(events.read_text().replace(",reason", "").replace(",\n", "\n"), encoding="utf-8")
    err = _error(str(events), str(persons))
    assert (err.row, err.line, err.column) == (3, 4, "scope")
    assert str(err).startswith(f"{events}, row 3 (line 4), column 'scope'")
    text = events.read_text().replace("c1,exclusion_ended,e,", 'c1,exclusion_ended,"e\nx",', 1)
    events.write_text(text.replace("m1,,full\n", "m1,,\n"), encoding="utf-8")
    err = _error(str(events), str(persons))
    assert (err.row, err.line, err.column) == (3, 4, "id")  # the id with a line break fails its pattern
    events.write_text("case_id,type,at\nc1,released\n", encoding="utf-8")
    err = _error(str(events), str(persons))
    assert (err.row, err.line) == (1, 2) and "2 cells, the header 3" in err.problem


def test_csv_booleans_and_lists_are_read_strictly(tmp_path):
    """true/false are booleans; anything else in a boolean column is an error; a list is ;-separated."""
    events = tmp_path / "e.csv"
    persons = tmp_path / "p.csv"
    persons.write_text("case_id,person_id,birth_date\nc1,x1,1990-01-01\n", encoding="utf-8")
    header = "case_id,type,id,at,measure_id,scope,form,informed,filed_in_own_record,recorded_by\n"
    events.write_text(header + "c1,consent_given,k,2025-03-01T08:00+01:00,k1,kho;nav,written,true,false,KO\n",
                      encoding="utf-8")
    (tl,) = timelines_from_tables(str(events), str(persons))
    ev = tl.events[0]
    assert [a.value for a in ev.scope] == ["kho", "nav"] and ev.informed is True and ev.filed_in_own_record is False
    events.write_text(header + "c1,consent_given,k,2025-03-01T08:00+01:00,k1,kho,written,yes,false,KO\n",
                      encoding="utf-8")
    err = _error(str(events), str(persons))
    assert (err.row, err.column) == (1, "informed") and "true or false" in err.problem


def test_a_synthetic_population_round_trips_through_every_table_kind(tmp_path):
    """event_tables and timelines_from_tables are inverse over DataFrames, Parquet, CSV and Polars."""
    tls = [load_timeline(d) for d in generate_population(30, seed=11)]
    events, persons = event_tables(tls)
    assert str(events["at"].dtype) == "datetime64[us, Europe/Oslo]"
    assert timelines_from_tables(events, persons) == tls
    events.to_parquet(tmp_path / "e.parquet")
    persons.to_parquet(tmp_path / "p.parquet")
    assert timelines_from_tables(tmp_path / "e.parquet", tmp_path / "p.parquet") == tls
    events.to_csv(tmp_path / "e.csv", index=False)
    persons.to_csv(tmp_path / "p.csv", index=False)
    assert timelines_from_tables(tmp_path / "e.csv", tmp_path / "p.csv") == tls
    pl = pytest.importorskip("polars")
    assert timelines_from_tables(pl.from_pandas(events), pl.from_pandas(persons)) == tls
    run = evaluate_many(timelines_from_tables(events, persons))
    assert sum(1 for _ in run) == 30 and run.summary.failed == 0


def test_a_naive_timestamp_column_is_localized_like_text():
    """A datetime64 column without a zone is local time: it needs tz= and follows the policies."""
    events = _events()
    events["at"] = pd.to_datetime(events["at"])
    err = _error(events)
    assert (err.row, err.column) == (1, "at")
    (tl,) = timelines_from_tables(events, PERSONS, tz=OSLO)
    assert tl.events[2].at == _utc("2025-10-26T08:00:00+01:00")


# --- tables out -----------------------------------------------------------------

@pytest.fixture(scope="module")
def batch():
    items = list(evaluate_many("examples"))
    bad = list(evaluate_many([("bad.json", {"case_id": "broken", "person": {}, "events": []})]))
    return items + bad


def test_result_tables_have_typed_columns(batch):
    """Instants are aware (Europe/Oslo), statuses ordered categories with every status, lengths durations."""
    t = result_tables(batch)
    ob = t.obligations
    assert str(ob["opens"].dtype) == "datetime64[us, Europe/Oslo]"
    assert str(ob["lateness"].dtype) == "timedelta64[us]"
    assert list(ob["status"].cat.categories) == [
        "fulfilled", "due", "contested", "followed_late", "not_followed", "fulfilled_late", "breached"]
    assert ob["status"].cat.ordered and ob["breach"].dtype == bool
    assert str(t.gaps["looks"].dtype) == "Int64" and str(t.gaps["length"].dtype) == "timedelta64[us]"
    assert list(t.events["state"].cat.categories) == ["used", "unused", "after_as_of"]
    assert len(ob) == sum(len(i.report.obligations) for i in batch if i.report)
    assert len(t.events) == sum(len(i.report.events) for i in batch if i.report)


def test_a_failed_timeline_is_a_row_of_failures(batch):
    """An item that could not be judged is kept, with its location and located message."""
    failures = result_tables(batch).failures
    assert list(failures["location"]) == ["bad.json"] and "person" in failures["error"][0]


def test_parquet_keeps_the_types_and_duckdb_reads_them(batch, tmp_path):
    """Parquet round-trips the dtypes; DuckDB sees aware timestamps and lengths as microseconds."""
    paths = write_result_tables(batch, tmp_path)
    assert sorted(paths) == ["events", "failures", "gaps", "obligations"]
    back = pd.read_parquet(paths["obligations"])
    assert str(back["due"].dtype) == "datetime64[us, Europe/Oslo]" and str(back["lateness"].dtype) == "timedelta64[us]"
    duckdb = pytest.importorskip("duckdb")
    types = dict(duckdb.sql(f"DESCRIBE SELECT opens, lateness, fulfilled_by FROM '{paths['obligations']}'")
                 .fetchall()[i][:2] for i in range(3))
    assert types == {"opens": "TIMESTAMP WITH TIME ZONE", "lateness": "BIGINT", "fulfilled_by": "VARCHAR[]"}
    ob = result_tables(batch).obligations
    (n,) = duckdb.sql("SELECT count(*) FROM ob WHERE status IN ('fulfilled_late', 'breached')").fetchall()[0]
    assert n == int(ob["breach"].sum()) > 0
    (kind,) = duckdb.sql("SELECT typeof(lateness) FROM ob LIMIT 1").fetchall()[0]
    assert kind == "INTERVAL"  # a DataFrame's durations are INTERVALs to DuckDB


def test_csv_tables_are_iso_text(batch, tmp_path):
    """CSV: instants ISO 8601 with offset, lengths ISO 8601 durations, lists ;-joined."""
    paths = write_result_tables(batch, tmp_path, format="csv")
    ob = pd.read_csv(paths["obligations"], dtype=str, keep_default_na=False)
    row = ob[ob["lateness"] != ""].iloc[0]
    assert row["lateness"].startswith("P") and "T" in row["opens"] and row["opens"][-6] in "+-"
    assert any(";" in v for v in ob["trigger_event_ids"]) or all(v.count(";") == 0 for v in ob["trigger_event_ids"])
    with pytest.raises(ValueError, match="format must be"):
        write_result_tables(batch, tmp_path, format="xlsx")
