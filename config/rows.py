"""Model instances from hand-written SQL, for the few reads on every request.

Compiling a queryset costs the ORM far more than running it (a select_related of four
tables: about 1.5 ms of CPU to compile, 0.15 ms to run; bench/README.md). The hottest reads,
whose shape never changes, are written once as SQL; this module keeps their column lists and
value conversions tied to the models, so a new field is read without touching the SQL.
"""

from django.db import connection


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
        """Per field, what the ORM itself applies to a value read (SQLite returns datetimes
        and decimals as text, for one)."""
        if db.alias not in self._converters:
            columns = [field.get_col(self.alias) for field in self.fields]
            self._converters[db.alias] = [
                (column, [*db.ops.get_db_converters(column), *column.get_db_converters(db)])
                for column in columns
            ]
        return self._converters[db.alias]

    def build(self, row, start: int = 0):
        """The instance of the columns at `row[start:start + len(self)]`."""
        values = []
        for offset, (column, converters) in enumerate(self._converters_for(connection)):
            value = row[start + offset]
            for converter in converters:
                value = converter(value, column, connection)
            values.append(value)
        return self.model.from_db(connection.alias, self.attnames, values)


def fetch(sql: str, params) -> list[tuple]:
    """The rows of a hand-written read. On PostgreSQL it is a prepared statement, planned once
    a connection: planning the membership's five-table read took 0.5 ms, running it 0.1 ms
    (bench/README.md). Only these reads are prepared (the ORM's cursors bind on the client and
    never prepare): their plans are unique-key lookups, right for any value, whereas a
    report's plan must fit its window."""
    prepared = getattr(connection, "prepared_cursor", None)  # config.postgresql's
    with prepared() if prepared else connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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


# Rows of an UPDATE ... FROM (VALUES ...): well under SQLite's 32,766 parameters a statement.
UPDATE_BATCH = 1000


def update_rows(model, objects, fields: list[str]) -> None:
    """Write `fields` of each object, by primary key, in one UPDATE ... FROM (VALUES ...).

    bulk_update writes the same with a CASE WHEN per field and row, which the ORM takes
    several times longer to build than the database to run (bench/README.md). Both
    databases name the columns of VALUES column1, column2, ... (SQLite since 3.33).
    """
    objects = list(objects)
    targets = [model._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    # PostgreSQL types an all-NULL column of VALUES as text; SQLite's CAST to a declared type
    # would turn a datetime's text into a number, and its columns take any value as it is.
    typed = connection.vendor == "postgresql"
    assignments = ", ".join(
        f"{quote(field.column)} = "
        + (f"CAST(v.column{i} AS {field.cast_db_type(connection)})" if typed else f"v.column{i}")
        for i, field in enumerate(targets, start=2)
    )
    row = "(" + ", ".join(["%s"] * (len(targets) + 1)) + ")"
    for start in range(0, len(objects), UPDATE_BATCH):
        batch = objects[start : start + UPDATE_BATCH]
        params = []
        for obj in batch:
            params.append(obj.pk)
            params.extend(
                field.get_db_prep_save(getattr(obj, field.attname), connection) for field in targets
            )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table(model)} SET {assignments} "  # noqa: S608 - names from the model
                f"FROM (VALUES {', '.join([row] * len(batch))}) AS v "
                f"WHERE {table(model)}.{quote(model._meta.pk.column)} = v.column1",
                params,
            )
