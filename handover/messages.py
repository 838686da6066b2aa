"""The messages the morning shift pastes: one per courier company, one for the warehouse, and the list
of buyers to phone.

Here they are built: `courier_messages`, `warehouse_list` and `call_list` sort open items into numbered
entries and set aside every row that cannot go out as it is; `render.views` turns them into text through
the shop's templates. A row with an error is never sent half
filled: it is listed under the message with what is missing, so nobody has to notice a gap in a message
that already went out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError, HandoverError
from .model.couriers import COURIERS, Courier, CourierContact, courier_contacts, courier_of
from .model.handover_tab import HandoverItem
from .model.rows import ERROR, WARNING, Problem
from .model.schema import CATEGORIES, Category, Route

# Within a courier message the parcel still moving comes first: an intercept a few hours late is a
# parcel delivered; an address change can wait for the next sorting; a weight question waits for anyone.
_COURIER_ORDER = ("intercept", "address_change", "weight_query")
_CATEGORY_ORDER = {c.key: index for index, c in enumerate(CATEGORIES)}


class UnknownCourierError(HandoverError):
    """`--courier NAME` names no courier we know."""


@dataclass(frozen=True)
class MessageSettings:
    """The shop's wording settings: `[messages]` and `[couriers.*]` in handover.toml."""

    shop: str = ""
    sign_off: str = ""
    # Where intercepted parcels go back to when the row has no new address; without it, to the sender.
    return_address: str = ""
    contacts: dict[str, CourierContact] = field(default_factory=dict)

    def contact(self, courier: Courier) -> CourierContact:
        return self.contacts.get(courier.key) or CourierContact(courier)


MESSAGE_SETTINGS = ("shop", "sign_off", "return_address")


def message_settings(config: Any) -> MessageSettings:
    where = config.where()
    section = config.section("messages", MESSAGE_SETTINGS)
    values: dict[str, str] = {}
    for name, value in section.items():
        if name not in MESSAGE_SETTINGS:
            continue  # Config.section warned about it
        if not isinstance(value, str):
            raise ConfigError(f"{where}: [messages] {name} 应该是文字，例如 {name} = \"…\"")
        values[name] = value.strip()
    return MessageSettings(contacts=courier_contacts(config), **values)


# ------------------------------------------------------------------------------------ the records

@dataclass(slots=True)
class Entry:
    """One numbered item of a message."""

    number: int
    item: HandoverItem
    return_to: str = ""  # intercepts: where the parcel goes back to; "" is back to the sender
    times: int = 1  # how many open rows log this order under this 类型 (listed once, saying so)

    @property
    def kind(self) -> str:
        assert self.item.category is not None
        return self.item.category.key

    @property
    def ref(self) -> str:
        """What a reply names the item by: its 编号, or its row until it has one."""
        return self.item.id or f"第 {self.item.row} 行"

    def as_json(self) -> dict[str, Any]:
        # A reference, not the record again: `pull --format json` carries every record once, under
        # `routes`, and a big morning would otherwise double the output.
        item = self.item
        return {
            "number": self.number,
            "id": item.id,
            "row": item.row,
            "category": self.kind,
            "return_to": self.return_to or None,
            "times": self.times,
        }


@dataclass
class Note:
    """A row the person sending a message must know about: left out (errors) or to check (warnings).
    `number` is the entry's number when the row is in the message."""

    item: HandoverItem
    problems: list[Problem]
    number: int | None = None

    @property
    def where(self) -> str:
        return f"第 {self.item.row} 行（{self.item.id}）" if self.item.id else f"第 {self.item.row} 行"

    @property
    def label(self) -> str:
        return self.item.category.label if self.item.category else "未分类"

    @property
    def reasons(self) -> list[str]:
        # Most messages already name their field (改地址需要新地址, 不是电话号码…); name it only when not.
        out = []
        for problem in self.problems:
            column = problem.column or ""
            if column and column not in problem.message and column[-2:] not in problem.message:
                out.append(f"「{problem.column}」{problem.message}")
            else:
                out.append(problem.message)
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "row": self.item.row,
            "number": self.number,
            "category": self.item.category.key if self.item.category else None,
            "problems": [p.as_json() for p in self.problems],
        }


@dataclass
class CourierMessage:
    courier: Courier
    contact: CourierContact
    sign_off: str
    entries: list[Entry] = field(default_factory=list)
    left_out: list[Note] = field(default_factory=list)
    to_check: list[Note] = field(default_factory=list)
    text: str = ""  # the pastable message, filled in by rendering

    def as_json(self) -> dict[str, Any]:
        return {
            "courier": self.courier.key,
            "courier_name": self.courier.name,
            "contact": self.contact.contact,
            "qq": self.contact.qq,
            "text": self.text or None,
            "items": [e.as_json() for e in self.entries],
            "left_out": [n.as_json() for n in self.left_out],
            "to_check": [n.as_json() for n in self.to_check],
        }


@dataclass
class CourierBatch:
    settings: MessageSettings
    messages: list[CourierMessage]
    unknown: list[Note]  # courier rows whose company nobody can tell: fill in 快递公司 first

    def as_json(self) -> dict[str, Any]:
        return {"messages": [m.as_json() for m in self.messages], "unknown_courier": [n.as_json() for n in self.unknown]}


@dataclass
class Group:
    category: Category
    entries: list[Entry]


@dataclass
class GroupedList:
    """The warehouse list or the call list: entries grouped by category, numbered straight through for
    counting, each with its 编号 so a reply ("H20261122-003 补发了") finds its row."""

    route: Route
    settings: MessageSettings
    groups: list[Group]
    left_out: list[Note]
    to_check: list[Note]
    text: str = ""

    @property
    def count(self) -> int:
        return sum(len(group.entries) for group in self.groups)

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text or None,
            "items": [e.as_json() for g in self.groups for e in g.entries],
            "left_out": [n.as_json() for n in self.left_out],
            "to_check": [n.as_json() for n in self.to_check],
        }


@dataclass
class Messages:
    """Everything `pull` shows after the task list."""

    couriers: CourierBatch
    warehouse: GroupedList
    calls: GroupedList


# ---------------------------------------------------------------------------------------- building

def _urgency(item: HandoverItem, order: dict[str, int]) -> tuple:
    # Oldest first within a kind: it has waited longest. Rows without a time go last, in sheet order.
    assert item.category is not None
    logged = item.logged_at.timestamp() if item.logged_at else float("inf")
    return (order.get(item.category.key, len(order)), logged, item.row)


def _open(items: Iterable[HandoverItem], route: Route) -> list[HandoverItem]:
    return [i for i in items if i.is_open and i.category is not None and i.category.route is route]


def _warnings(item: HandoverItem) -> list[Problem]:
    return [p for p in item.problems if p.severity == WARNING]


def _logged_times(items: list[HandoverItem]) -> tuple[dict[int, int], set[int]]:
    """The rows handover_tab.flag_repeated_orders flags (an open row logging an earlier row's order under the
    same 类型) are never sent again: the earlier row's entry says how often the issue was logged.
    Returns the row kept -> times logged, and the rows repeating it."""
    kept: dict[tuple[str, str], int] = {}
    times: dict[int, int] = {}
    repeats: set[int] = set()
    for item in sorted(items, key=lambda i: i.row):
        if not (item.order_id and item.category):
            continue
        first = kept.setdefault((item.category.key, item.order_id), item.row)
        times[first] = times.get(first, 0) + 1
        if first != item.row:
            repeats.add(item.row)
    return times, repeats


def courier_messages(items: Iterable[HandoverItem], config: Any, *, courier: str | None = None,
                     settings: MessageSettings | None = None) -> CourierBatch:
    """One message per courier company for the open courier rows (address changes, intercepts, weight
    queries). `courier` (a name or alias) keeps only that company's message; rows whose company is
    unknown are always listed, since any of them may be that company's."""
    settings = settings or message_settings(config)
    only: Courier | None = None
    if courier is not None:
        only = courier_of(courier)
        if only is None:
            names = "、".join(c.name for c in COURIERS)
            raise UnknownCourierError(f"不认识的快递公司「{courier}」（可用：{names}，或 sto、zto 这样的简称）")
    order = {key: index for index, key in enumerate(_COURIER_ORDER)}
    by_courier: dict[str, CourierMessage] = {}
    unknown: list[Note] = []
    open_items = _open(items, Route.COURIER)
    times, repeats = _logged_times(open_items)
    for item in sorted(open_items, key=lambda i: _urgency(i, order)):
        if item.row in repeats:
            continue
        if item.courier is None:
            unknown.append(Note(item, _unknown_courier_problems(item)))
            continue
        if only is not None and item.courier.key != only.key:
            continue
        message = by_courier.get(item.courier.key)
        if message is None:
            contact = settings.contact(item.courier)
            message = CourierMessage(item.courier, contact, contact.sign_off or settings.sign_off)
            by_courier[item.courier.key] = message
        errors = item.errors
        return_to = ""
        if item.category.key == "intercept":  # type: ignore[union-attr]
            # Without an address the parcel goes back the way it came: the sender is on the waybill.
            return_to = item.new_address or settings.return_address
        if errors:
            message.left_out.append(Note(item, errors))
            continue
        entry = Entry(len(message.entries) + 1, item, return_to, times.get(item.row, 1))
        message.entries.append(entry)
        checks = _warnings(item)
        if item.courier_recognised:
            checks = [Problem(item.row, "快递公司", f"快递公司没填，按单号认作{item.courier.name}", WARNING, item.id), *checks]
        if checks:
            message.to_check.append(Note(item, checks, entry.number))
    messages = [by_courier[c.key] for c in COURIERS if c.key in by_courier]
    return CourierBatch(settings, messages, unknown)


def _unknown_courier_problems(item: HandoverItem) -> list[Problem]:
    errors = item.errors
    if any("快递公司" in p.message for p in errors):
        return errors  # the parse already said what is wrong with the courier cell
    if item.tracking_no:
        reason = f"没填快递公司，单号 {item.tracking_no} 也认不出是哪家"
    else:
        reason = "没填快递公司，也没有快递单号"
    return [*errors, Problem(item.row, "快递公司", reason, ERROR, item.id)]


def _grouped(items: Iterable[HandoverItem], route: Route, settings: MessageSettings) -> GroupedList:
    by_category: dict[str, list[Entry]] = {}
    left_out: list[Note] = []
    to_check: list[Note] = []
    number = 0
    open_items = _open(items, route)
    times, repeats = _logged_times(open_items)
    for item in sorted(open_items, key=lambda i: _urgency(i, _CATEGORY_ORDER)):
        if item.row in repeats:
            continue
        if item.errors:
            left_out.append(Note(item, item.errors))
            continue
        number += 1
        entry = Entry(number, item, times=times.get(item.row, 1))
        by_category.setdefault(item.category.key, []).append(entry)  # type: ignore[union-attr]
        if _warnings(item):
            to_check.append(Note(item, _warnings(item), number))
    groups = [Group(c, by_category[c.key]) for c in CATEGORIES if c.key in by_category]
    return GroupedList(route, settings, groups, left_out, to_check)


def warehouse_list(items: Iterable[HandoverItem], config: Any, *, settings: MessageSettings | None = None) -> GroupedList:
    """Missing items, orders without tracking movement and buyers urging shipment, for the warehouse."""
    return _grouped(items, Route.WAREHOUSE, settings or message_settings(config))


def call_list(items: Iterable[HandoverItem], config: Any, *, settings: MessageSettings | None = None) -> GroupedList:
    """Buyers to phone: sizes to confirm, addresses no courier reaches, and the rest."""
    return _grouped(items, Route.CUSTOMER, settings or message_settings(config))


def build_messages(items: Iterable[HandoverItem], config: Any, *, courier: str | None = None) -> Messages:
    items = list(items)
    settings = message_settings(config)
    return Messages(
        couriers=courier_messages(items, config, courier=courier, settings=settings),
        warehouse=warehouse_list(items, config, settings=settings),
        calls=call_list(items, config, settings=settings),
    )
