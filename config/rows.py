"""Hand-written SQL for the statements of every request and every sale.

Compiling a queryset costs the ORM far more than running it (a select_related of four
tables: about 1.5 ms of CPU to compile, 0.15 ms to run; bench/README.md). The hottest reads
and writes, whose shape never changes, are written once as SQL and prepared on PostgreSQL;
this module keeps their columns and value conversions tied to the models, so a new field is
read and written without touching the SQL.
"""

import datetime as dt
import functools
import json
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connection, connections


def _db():
    """This thread's connection itself: every attribute read through `django.db.connection`
    looks the connection up again (a 20-line sale made about 950 such reads, 0.7 ms)."""
    return connections[DEFAULT_DB_ALIAS]


class Columns:
    """The concrete columns of `model` under a table alias, and instances built from them."""

    def __init__(self, model, alias: str):
        self.model = model
        self.fields = model._meta.concrete_fields
        self.attnames = [field.attname for field in self.fields]
        self.alias = alias
        self._converters = {}

    def __len__(self):
        return len(self.fields)

    def sql(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{quote(self.alias)}.{quote(field.column)}" for field in self.fields)

    def _converters_for(self, db):
        """Per field that has any, what the ORM itself applies to a value read (SQLite returns
        datetimes and decimals as text, for one); PostgreSQL's values mostly need none."""
        if db.alias not in self._converters:
            converters = []
            for offset, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                functions = [*db.ops.get_db_converters(column), *column.get_db_converters(db)]
                if functions:
                    converters.append((offset, column, functions))
            self._converters[db.alias] = converters
        return self._converters[db.alias]

    def build(self, row, start: int = 0):
        """The instance of the columns at `row[start:start + len(self)]`."""
        db = _db()
        values = list(row[start : start + len(self.fields)])
        for offset, column, converters in self._converters_for(db):
            value = values[offset]
            for converter in converters:
                value = converter(value, column, db)
            values[offset] = value
        return self.model.from_db(db.alias, self.attnames, values)


def _cursor():
    prepared = getattr(connection, "prepared_cursor", None)  # config.postgresql's
    return prepared() if prepared else connection.cursor()


def fetch(sql: str, params) -> list[tuple]:
    """The rows of a hand-written read. On PostgreSQL it is a prepared statement, planned once
    a connection: planning the membership's five-table read took 0.5 ms, running it 0.1 ms
    (bench/README.md). Only these statements are prepared (the ORM's cursors bind on the client
    and never prepare): their plans are key lookups, right for any value, whereas a report's
    plan must fit its window."""
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params) -> int:
    """A hand-written write, prepared like `fetch`'s reads; the number of rows it changed."""
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def one_of(column: str) -> str:
    """SQL that `column` is one of the values of one parameter made by `values_param`: the
    statement's text, so its prepared plan, is the same whatever the number of values."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)"
    return f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608 - a column name


def values_param(values) -> list | str:
    values = list(values)
    return values if connection.vendor == "postgresql" else json.dumps(values)


def for_update() -> str:
    """The row-lock clause of a hand-written read, where the database has one (SQLite locks
    the whole database for a write transaction instead)."""
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def attach_prefetched(instance, **related) -> None:
    """Give `instance` its related objects as prefetch_related would (`sale.lines.all()` then
    reads no query), for objects the caller has just written and holds already."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, objects in related.items():
        queryset = getattr(instance, name).get_queryset()
        queryset._result_cache = list(objects)
        queryset._prefetch_done = True
        cache[name] = queryset


@functools.cache
def _company_object_sql(model) -> tuple[str, "Columns"]:
    columns = Columns(model, "o")
    quote = connection.ops.quote_name
    company = model._meta.get_field("company").column
    sql = (
        f"SELECT {columns.sql()} FROM {table(model)} o "  # noqa: S608 - names from the model
        f"WHERE o.{quote(model._meta.pk.column)} = %s AND o.{quote(company)} = %s"
    )
    return sql, columns


def company_object(model, *, pk: int, company_id: int):
    """The company's object of `model` with this pk, or None: one prepared read."""
    sql, columns = _company_object_sql(model)
    rows = fetch(sql, [pk, company_id])
    return columns.build(rows[0]) if rows else None


@functools.cache
def _new_slots(model) -> list:
    return [(field.attname, field) for field in model._meta.concrete_fields]


def new(model, **values):
    """A new, unsaved instance of `model` from values by attname (`product_id`, not `product`),
    the other fields at their defaults: what `model(**values)` builds, but passed
    positionally as `from_db` does, which skips the keyword path's per-field descriptor
    handling (a sale line 19 -> 12 us; a sale builds two such objects a line)."""
    args = [
        values.pop(attname) if attname in values else field.get_default()
        for attname, field in _new_slots(model)
    ]
    if values:
        raise TypeError(f"{model.__name__} has no fields {sorted(values)}")
    return model(*args)


_INTEGER_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)


@functools.cache
def _stored_type(field) -> str:
    """The field's internal type; a foreign key's is its target's."""
    while field.is_relation:
        field = field.target_field
    return field.get_internal_type()


@functools.cache
def _unchanged_test(field):
    """A test of the values this field's get_db_prep_save returns as they are (Django 5.2, checked
    by tests/config/test_rows.py), or None. Those skip it: for a 20-line sale's lines, preparing
    every value took 459 us, reading them 38 us. (On PostgreSQL it wraps an int in psycopg's
    Int2, Int4 or Int8, an equal int that only picks a binary type; an array literal of ints is
    the same text either way.)"""
    internal = _stored_type(field)
    if internal in ("CharField", "TextField"):
        return lambda value: isinstance(value, str)
    if internal == "BooleanField":
        return lambda value: value is True or value is False
    if internal == "DecimalField":
        return lambda value: type(value) is Decimal and value.is_finite()
    if internal in _INTEGER_TYPES:
        return lambda value: type(value) is int
    if internal == "DateTimeField":
        return lambda value: type(value) is dt.datetime and value.tzinfo is not None
    return None


def _column(field, values, db) -> list:
    """`values` of `field` as the ORM sends them to PostgreSQL."""
    unchanged = _unchanged_test(field)
    prepare = field.get_db_prep_save
    if unchanged is None:
        return [prepare(value, db) for value in values]
    return [value if value is None or unchanged(value) else prepare(value, db) for value in values]


# Fields whose values the ORM sends to PostgreSQL as str, int, bool, Decimal, date or datetime
# (Django 5.2; tests/config/test_rows.py writes each kind back and forth): their arrays go as
# one literal each, written here, which is 5-10 times cheaper than psycopg adapting a list
# element by element (a 20-row Decimal array: 40 us in binary, 28 in text, 4 as a literal).
_LITERAL_TYPES = frozenset(
    {
        *_INTEGER_TYPES,
        "CharField",
        "TextField",
        "SlugField",
        "EmailField",
        "DecimalField",
        "BooleanField",
        "DateTimeField",
        "DateField",
    }
)


def _as_literal(field) -> bool:
    return _stored_type(field) in _LITERAL_TYPES


def _quoted(text: str) -> str:
    # Inside an array literal's double quotes only a quote and a backslash are special.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_ELEMENTS = {
    type(None): lambda value: "NULL",
    str: _quoted,
    bool: lambda value: "t" if value else "f",
    int: int.__repr__,
    Decimal: Decimal.__str__,
    dt.datetime: dt.datetime.isoformat,
    dt.date: dt.date.isoformat,
}


def _element(value) -> str:
    write = _ELEMENTS.get(type(value))
    if write is None:  # subclasses: choices' members, psycopg's Int8
        if isinstance(value, str):
            return _quoted(str.__str__(value))
        if isinstance(value, int):
            return int.__repr__(value)
        raise TypeError(f"no array literal for {type(value).__name__}")
    return write(value)


def _array_param(field, values, db):
    """One column's values as its array parameter (see `_array`)."""
    values = _column(field, values, db)
    if not _as_literal(field):
        return values
    kinds = set(map(type, values))
    write = _ELEMENTS.get(kinds.pop()) if len(kinds) == 1 else None
    return "{" + ",".join(map(write or _element, values)) + "}"


def _array(field) -> str:
    """The placeholder of a column's values as one array. As Django's own bulk insert on
    PostgreSQL: no length or precision, so nothing truncated. An array literal for the plain
    types (`_LITERAL_TYPES`), anything else sent by psycopg in binary (`%b`): its text form of
    a list quotes each element through a regular expression."""
    cast = f"::{field.db_type(connection).split('(')[0]}[]"
    return ("%s" if _as_literal(field) else "%b") + cast


@functools.cache
def _insert_sql(model, ignore_conflicts: bool) -> tuple[str, list]:
    fields = [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]
    unsupported = [f.name for f in fields if f.has_db_default() or f.generated]
    if not fields or unsupported or model._meta.auto_field is None:
        # What unnest() of client values can't write; bulk_create can.
        raise TypeError(f"rows.insert can't write {model.__name__}: use bulk_create")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(_array(field) for field in fields)
    end = (
        "ON CONFLICT DO NOTHING"
        if ignore_conflicts
        else f"RETURNING {quote(model._meta.pk.column)}"
    )
    sql = f"INSERT INTO {table(model)} ({columns}) SELECT * FROM unnest({arrays}) {end}"  # noqa: S608
    return sql, fields


def insert(model, objects, *, ignore_conflicts: bool = False) -> list:
    """Insert new objects (no pk yet) as bulk_create does: defaults and `auto_now_add` filled
    in, each object given its pk (unless conflicts are ignored: then none is).

    On PostgreSQL it is one prepared statement whatever the number of objects, an array a
    column through unnest(), like Django's own bulk insert there but without compiling a
    query each call, which cost the ORM several times what the database takes to run it
    (bench/README.md). (psycopg prepares a text once for each set of parameter types it
    meets: the literal columns are always text, but a binary one of NULLs only is one more.)
    Elsewhere it is bulk_create. Models with database defaults or generated columns are
    refused: use bulk_create for those.
    """
    objects = list(objects)
    db = _db()
    if db.vendor != "postgresql":
        return model._base_manager.bulk_create(objects, ignore_conflicts=ignore_conflicts)
    if not objects:
        return objects
    sql, fields = _insert_sql(model, ignore_conflicts)
    for obj in objects:
        if obj.pk is not None:
            raise ValueError(f"rows.insert writes new objects only: {obj!r} has a pk")
        # As bulk_create: a related object saved since it was assigned gives its id, and an
        # unsaved one is refused rather than written as NULL.
        obj._prepare_related_fields_for_save(operation_name="insert")
    params = [
        _array_param(field, [field.pre_save(obj, True) for obj in objects], db) for field in fields
    ]
    if ignore_conflicts:
        execute(sql, params)
        pks = [None] * len(objects)
    else:
        pks = [pk for (pk,) in fetch(sql, params)]
    for obj, pk in zip(objects, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = db.alias
    return objects


# Rows of an UPDATE ... FROM (VALUES ...): well under SQLite's 32,766 parameters a statement.
UPDATE_BATCH = 1000


@functools.cache
def _update_sql(model, fields: tuple[str, ...]) -> tuple[str, list]:
    """PostgreSQL's: the new values as arrays through unnest(), one text for any row count."""
    targets = [model._meta.pk, *(model._meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    names = [f"c{i}" for i in range(len(targets))]
    assignments = ", ".join(
        f"{quote(field.column)} = v.{name}"
        for field, name in zip(targets[1:], names[1:], strict=True)
    )
    arrays = ", ".join(_array(field) for field in targets)
    sql = (
        f"UPDATE {table(model)} SET {assignments} "  # noqa: S608 - names from the model
        f"FROM unnest({arrays}) AS v({', '.join(names)}) "
        f"WHERE {table(model)}.{quote(model._meta.pk.column)} = v.c0"
    )
    return sql, targets


def update_rows(model, objects, fields: list[str]) -> None:
    """Write `fields` of each object, by primary key, in one statement.

    bulk_update writes the same with a CASE WHEN per field and row, which the ORM takes
    several times longer to build than the database to run (bench/README.md). On PostgreSQL
    the values go as one array a column, in a prepared statement; elsewhere as
    UPDATE ... FROM (VALUES ...) in batches (SQLite names the columns of VALUES column1,
    column2, ... since 3.33).
    """
    objects = list(objects)
    if not objects:
        return
    db = _db()
    if db.vendor == "postgresql":
        sql, targets = _update_sql(model, tuple(fields))
        execute(
            sql,
            [
                _array_param(field, [getattr(obj, field.attname) for obj in objects], db)
                for field in targets
            ],
        )
        return
    targets = [model._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(field.column)} = v.column{i}" for i, field in enumerate(targets, start=2)
    )
    row = "(" + ", ".join(["%s"] * (len(targets) + 1)) + ")"
    for start in range(0, len(objects), UPDATE_BATCH):
        batch = objects[start : start + UPDATE_BATCH]
        params = []
        for obj in batch:
            params.append(obj.pk)
            params.extend(
                field.get_db_prep_save(getattr(obj, field.attname), db) for field in targets
            )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table(model)} SET {assignments} "  # noqa: S608 - names from the model
                f"FROM (VALUES {', '.join([row] * len(batch))}) AS v "
                f"WHERE {table(model)}.{quote(model._meta.pk.column)} = v.column1",
                params,
            )
