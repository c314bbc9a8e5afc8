"""Option types shared by the commands."""
from __future__ import annotations

from datetime import date

import click


class Day(click.ParamType):
    """A calendar day written YYYY-MM-DD, as a :class:`datetime.date`; a date that does not exist
    (2026-02-30) is refused saying so."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a day written YYYY-MM-DD that exists (e.g. 2026-11-30)", param, ctx)


class TextDefault(click.Option):
    """An option whose ``show_default`` text describes its default (``[default: drawn per session]``),
    shown as written: click puts such a text in parentheses (``[default: (drawn per session)]``)."""

    def get_help_extra(self, ctx: click.Context):
        extra = super().get_help_extra(ctx)
        if isinstance(self.show_default, str):
            extra["default"] = self.show_default
        return extra


class Number(click.FloatRange):
    """A finite number within the range (``click.FloatRange`` lets ``nan`` through: it compares
    false against any bound); ``nan`` and ``inf`` are refused naming the option."""

    def convert(self, value, param, ctx) -> float:
        number = super().convert(value, param, ctx)
        if number != number or number in (float("inf"), float("-inf")):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number
