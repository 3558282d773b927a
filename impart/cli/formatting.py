"""Stored values as the operator's terminal shows them: one string each, escaped, cut to a column's width."""

from __future__ import annotations

from impart.intake.operator_text import one_line, plain, text

__all__ = ["cell", "plain", "text"]


def cell(value, width: int) -> str:
    return one_line(text(value), width)
