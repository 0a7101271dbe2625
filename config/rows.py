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
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)
