"""Named hooks through which the program apps above take part in a meeting's agenda.

A program app (アウトリーチ …) puts its own records on a meeting's agenda under a purpose it
owns; the meeting records the decision as for any item, and the owning app applies it to its
record in the same transaction. The app registers its handlers once, in its
``AppConfig.ready()``; ``tsunagu.meetings`` never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class AgendaHandlers:
    #: ``decided(by=, item=, outcome=, text=, day=)``: a decision was recorded on the item
    decided: Callable[..., object]
    #: ``withdrawn(by=, item=, reason=)``: the item was taken off the agenda undecided
    withdrawn: Callable[..., object]
    #: ``persons(item)``: the person ids the item is about (for the audit)
    persons: Callable[..., list]


_handlers: dict[str, AgendaHandlers] = {}


def register_agenda_purpose(purpose: str, handlers: AgendaHandlers) -> None:
    _handlers[purpose] = handlers


def agenda_handlers(purpose: str) -> AgendaHandlers | None:
    return _handlers.get(purpose)


# The 事例概要シート's PDF: figures that apps above add after the sheet (the ecomap).
#: ``figure(request, item, sheet) -> str``: HTML (safe) to print after the sheet, or ""; the
#: app reads what the requesting user may see and records that read itself
_sheet_figures: list[Callable[..., str]] = []


def register_sheet_figure(figure: Callable[..., str]) -> None:
    if figure not in _sheet_figures:
        _sheet_figures.append(figure)


def sheet_figures(request, item, sheet: dict) -> list[str]:
    """The registered figures of the sheet of ``item`` for the user of ``request``."""
    return [html for figure in _sheet_figures if (html := figure(request, item, sheet))]


# Records of apps above that began from an agenda item (an outreach record started from the
# meeting's discussion), shown on the item to those who may open them.
#: ``links(user, items) -> {item id: [(label, url), ...]}``: only records the user may see
_item_links: list[Callable[..., dict]] = []


def register_agenda_links(links: Callable[..., dict]) -> None:
    if links not in _item_links:
        _item_links.append(links)


def agenda_links(user, items) -> dict[int, list[tuple[str, str]]]:
    """The registered apps' links of each agenda item, for ``user``."""
    found: dict[int, list[tuple[str, str]]] = {}
    for links in _item_links:
        for item_id, pairs in links(user, items).items():
            found.setdefault(item_id, []).extend(pairs)
    return found
