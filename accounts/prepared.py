"""Queries compiled to SQL once and run again with new values, for the hottest reads.

Building a queryset and compiling it to SQL costs several times what running the SQL does
(for a token lookup on SQLite, about half a millisecond against a tenth). A request that
reads one row by its key pays that on every call. `PreparedQuery` compiles its queryset once
per request thread (each has its own database connection) and then runs only the SQL, with
the values of its `Param`s filled in, and builds the same model instances, related rows from
`select_related` included, as the queryset would.

    TOKEN = PreparedQuery(Token.objects.select_related("user").filter(key=Param("key", ...)))
    token = TOKEN.first(key=key)
"""

import threading

from django.db import connections, models
from django.db.models.query import get_related_populators


class Param(models.Expression):
    """A value given each time the query runs, made ready for the database as `field` does
    for a value compared with it."""

    def __init__(self, name: str, field: models.Field):
        super().__init__(output_field=field)
        self.name, self.target = name, field

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def __repr__(self):
        return f"Param({self.name!r})"


class PreparedQuery:
    def __init__(self, queryset: models.QuerySet):
        self.queryset = queryset
        self._local = threading.local()

    def first(self, **values):
        """The first row the query finds with these values, or None."""
        db = self.queryset.db
        compiled = self._compiled(db)
        connection = connections[db]
        params = [
            p.target.get_db_prep_value(values[p.name], connection) if isinstance(p, Param) else p
            for p in compiled.params
        ]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        return compiled.instance(row)

    def _compiled(self, db: str) -> "_Compiled":
        # Per thread and connection: a compiler holds its connection's converters.
        compiled = getattr(self._local, db, None)
        if compiled is None:
            compiled = _Compiled(self.queryset, db)
            setattr(self._local, db, compiled)
        return compiled


class _Compiled:
    """A queryset's SQL and what turns one of its rows into model instances (as Django's
    ModelIterable does)."""

    def __init__(self, queryset: models.QuerySet, db: str):
        self.db = db
        self.compiler = queryset.query.get_compiler(using=db)
        sql, params = self.compiler.as_sql()
        self.sql, self.params = sql, tuple(params)
        select, klass_info = self.compiler.select, self.compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.related = get_related_populators(klass_info, select, db)
        self.converters = self.compiler.get_converters(
            [s[0] for s in select[: self.compiler.col_count]]
        )

    def instance(self, row):
        if self.converters:
            row = next(iter(self.compiler.apply_converters([row], self.converters)))
        obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
        for populator in self.related:
            populator.populate(row, obj)
        return obj
