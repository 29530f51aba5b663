"""The one place that declares every field of a site: its type, default and check.

In the spirit of MkDocs' ``config_options``: each field type validates itself and reports
problems naming the field and the line; a :class:`Record` rejects unknown keys with a
"did you mean" hint. The loader turns validated records into :mod:`relancegen.site.model` objects.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable
from urllib.parse import urlsplit

from relancegen.errors import Location, Problem, shown
from relancegen.site.model import (
    CIVILITIES,
    CLIENT_KINDS,
    INSOLVENCY_PROCEDURES,
    DAY_COUNTS,
    MEDIA,
    PAYER_PROFILES,
    PAYMENT_ALLOCATIONS,
    PENALTY_SETTLEMENTS,
    PLUGIN_MEDIUM_STAGES,
    STAGES,
    LateInterestRule,
)
from relancegen.site.yamlpos import PosDict, PosList

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
MEDIUM_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,31}")  # a medium names files (<client>/<stage>/sms.txt)
# No quoting, comments or lists: '"a,b"@x.fr' would reach the mail server as two addresses.
EMAIL_PATTERN = re.compile(r'[^@\s<>(),;:"\[\]\\]+@[^@\s<>(),;:"\[\]\\]+\.[^@\s<>(),;:"\[\]\\]+')
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Dates a site may hold: a dunning tool has no use for others, and day arithmetic stays in range.
FIRST_DATE, LAST_DATE = dt.date(1970, 1, 1), dt.date(2199, 12, 31)
#: The largest amount accepted (under a thousand billion euros), so sums never leave Decimal's precision.
MAX_AMOUNT = Decimal("999999999999.99")
#: Text fields are one line of at most this many characters unless declared otherwise.
TEXT_LENGTH = 1000
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS = re.compile(r"[\n\r\x85\u2028\u2029]")
INVOICE_COPY_TYPES = (".pdf", ".png", ".jpg", ".jpeg")
HALF_YEAR_PATTERN = re.compile(r"\d{4}-S[12]")
#: The longest name of a file or folder most file systems accept, in bytes (NAME_MAX).
NAME_MAX = 255
SECRET_WORDS = ("password", "secret", "token", "api_key", "apikey", "client_secret")

INVALID = object()
MISSING = object()


@dataclass
class Context:
    """Where values are read from, and where problems go."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def error(self, line: int, path: str, message: str) -> object:
        self.problems.append(Problem(Location(self.file, line), path, message))
        return INVALID

    def warn(self, line: int, path: str, message: str) -> None:
        self.problems.append(Problem(Location(self.file, line), path, message, "warning"))


class Field:
    """A declared field. ``parse`` returns the validated value or ``INVALID``."""

    def __init__(self, *, required: bool = False, default: Any = None, check: Callable[[Any], str | None] | None = None):
        self.required = required
        self.default = default
        self.check = check

    def parse(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        parsed = self.convert(value, ctx, path, line)
        if parsed is not INVALID and self.check is not None:
            message = self.check(parsed)
            if message:
                return ctx.error(line, path, message)
        return parsed

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        return value


class Text(Field):
    """One line of text (``multiline=True`` allows line breaks), at most ``max_length``
    characters, without control characters."""

    def __init__(self, *, multiline: bool = False, max_length: int = TEXT_LENGTH, **kwargs: Any):
        super().__init__(**kwargs)
        self.multiline, self.max_length = multiline, max_length

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        if not isinstance(value, (str, int, float, Decimal)) or isinstance(value, bool):
            return ctx.error(line, path, "expected text")
        text = str(value).strip()
        if not text:
            return ctx.error(line, path, "must not be empty")
        if len(text) > self.max_length:
            return ctx.error(line, path, f"is {len(text):,} characters long; at most {self.max_length:,} are accepted")
        if CONTROL_CHARACTERS.search(text):
            return ctx.error(line, path, f"{shown(text)} contains a control character")
        if not self.multiline and LINE_BREAKS.search(text):
            return ctx.error(line, path, f"{shown(text)} must be a single line")
        return text


class Integer(Field):
    def __init__(self, *, minimum: int | None = None, maximum: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return ctx.error(line, path, f"expected a whole number, got {shown(value)}")
        if self.minimum is not None and value < self.minimum:
            return ctx.error(line, path, f"must be at least {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            return ctx.error(line, path, f"must be at most {self.maximum}")
        return value


class Boolean(Field):
    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        if not isinstance(value, bool):
            return ctx.error(line, path, f"expected true or false, got {shown(value)}")
        return value


class Date(Field):
    """A calendar date written YYYY-MM-DD (not 20260901 nor 2026-W36-1), 1970 to 2199."""

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        day = parse_date(value)
        if day is None:
            return ctx.error(line, path, f"expected a date YYYY-MM-DD, got {shown(value)}")
        if not FIRST_DATE <= day <= LAST_DATE:
            return ctx.error(line, path, f"{day.isoformat()} is out of range: dates go from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}")
        return day


def parse_date(value: Any) -> dt.date | None:
    """A date written YYYY-MM-DD, or None."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not DATE_PATTERN.fullmatch(value.strip()):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def parse_money(value: Any) -> Decimal | None:
    """A decimal string or number with at most two decimals, up to :data:`MAX_AMOUNT`,
    as Decimal; None if invalid."""
    amount = _decimal(value)
    if amount is None or amount.as_tuple().exponent < -2 or abs(amount) > MAX_AMOUNT:  # type: ignore[operator]
        return None
    return amount.quantize(Decimal("0.01"))


def _decimal(value: Any) -> Decimal | None:
    """A finite decimal number of at most a few dozen characters, or None."""
    if not isinstance(value, (str, int, float, Decimal)) or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    text = str(value).strip()
    if len(text) > 40:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _too_large(value: Any) -> bool:
    """Whether ``value`` is a number past :data:`MAX_AMOUNT` (however many digits it has)."""
    number = _decimal(value)
    if number is not None:
        return abs(number) > MAX_AMOUNT
    return isinstance(value, str) and re.fullmatch(r"\s*[0-9]{13,}(\.[0-9]*)?\s*", value) is not None


class Money(Field):
    def __init__(self, *, positive: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.positive = positive

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        amount = parse_money(value)
        if amount is None and _too_large(value):
            return ctx.error(line, path, f"{shown(value)} is too large: amounts go up to {MAX_AMOUNT}")
        if amount is None:
            return ctx.error(line, path, f"expected an amount with at most 2 decimals, such as \"1440.00\", got {shown(value)}")
        if amount < 0 or (self.positive and amount == 0):
            return ctx.error(line, path, "must be positive" if self.positive else "must not be negative")
        return amount


class Percent(Field):
    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        rate = _decimal(value.strip().rstrip("%") if isinstance(value, str) else value)
        if rate is None:
            return ctx.error(line, path, f"expected a rate in percent such as \"2.15\", got {shown(value)}")
        if rate < -5 or rate > 100:
            return ctx.error(line, path, f"rate {shown(value)} is out of range")
        return rate


class Matching(Text):
    """Text that must match a pattern; ``problem`` explains the rule, after the value."""

    def __init__(self, pattern: re.Pattern[str], problem: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.pattern, self.problem = pattern, problem

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        text = super().convert(value, ctx, path, line)
        if text is not INVALID and not self.pattern.fullmatch(text):
            return ctx.error(line, path, f"{shown(text)} {self.problem}")
        return text


def Identifier(**kwargs: Any) -> Matching:  # noqa: N802 - reads like the other field types
    return Matching(ID_PATTERN, "is not a valid id: use lowercase letters, digits and '-', starting with a letter or digit", **kwargs)


def Email(**kwargs: Any) -> Matching:  # noqa: N802
    return Matching(EMAIL_PATTERN, "is not an email address", **kwargs)


LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")


def Language(**kwargs: Any) -> Matching:  # noqa: N802
    """A document language: fr, en, or any code with letters and a theme catalogue (check says)."""
    return Matching(LANGUAGE_PATTERN, "is not a language code such as fr, en or de", **kwargs)


class Choice(Text):
    def __init__(self, choices: tuple[str, ...], **kwargs: Any):
        super().__init__(**kwargs)
        self.choices = choices

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        text = super().convert(value, ctx, path, line)
        if text is not INVALID and text not in self.choices:
            return ctx.error(line, path, f"{shown(text)} is not one of {', '.join(self.choices)}")
        return text


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = int(char)
        if position % 2 == 1:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return total % 10 == 0


class Siren(Text):
    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        text = super().convert(value, ctx, path, line)
        if text is INVALID:
            return text
        digits = text.replace(" ", "")
        if not re.fullmatch(r"[0-9]{9}", digits):
            return ctx.error(line, path, f"a SIREN has 9 digits 0-9, got {shown(text)}")
        if not luhn_valid(digits):
            return ctx.error(line, path, f"SIREN {shown(text)} fails the Luhn check (a digit is probably wrong)")
        return digits


class VatNumber(Text):
    """An EU VAT number, checked with python-stdnum (country format and check digits)."""

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        from stdnum.eu import vat
        from stdnum.exceptions import ValidationError

        text = super().convert(value, ctx, path, line)
        if text is INVALID:
            return text
        try:
            return vat.validate(text)
        except ValidationError as error:
            return ctx.error(line, path, f"VAT number {shown(text)} is not valid ({error.message.rstrip('.').lower()})")


class WebAddress(Text):
    """An https:// (or http://) address: never javascript:, data: or file:."""

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        text = super().convert(value, ctx, path, line)
        if text is INVALID:
            return text
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("https", "http") or not parts.netloc or re.search(r"\s", text):
            return ctx.error(line, path, f"{shown(text)} is not a web address: it must start with https:// (or http://)")
        return text


class SitePath(Text):
    """A file or folder of the site, as written in its YAML: one line without control
    characters, whose every name the file system can hold (at most ``NAME_MAX`` bytes)."""

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        text = super().convert(value, ctx, path, line)
        if text is not INVALID and any(len(part.encode("utf-8")) > NAME_MAX for part in re.split(r"[/\\]", text)):
            return ctx.error(line, path, f"{shown(text)} holds a name longer than {NAME_MAX} bytes, which no file system accepts")
        return text


class InvoiceCopy(SitePath):
    """The path, relative to the site, of an invoice copy: a PDF or an image, never a dot
    file (the folder it must sit in is checked by the loader, which knows ``data:``)."""

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        text = super().convert(value, ctx, path, line)
        if text is INVALID:
            return text
        parts = text.replace("\\", "/").split("/")
        if text.startswith("/") or ".." in parts or any(part.startswith(".") for part in parts if part):
            return ctx.error(line, path, f"{shown(text)} must be a path inside the site, without '..' or hidden files")
        if not text.lower().endswith(INVOICE_COPY_TYPES):
            return ctx.error(line, path, f"{shown(text)} is not a PDF or an image ({', '.join(INVOICE_COPY_TYPES)})")
        return text


class BankCode(Text):
    """An IBAN or a BIC, checked with schwifty and kept in its compact form."""

    def __init__(self, kind: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.kind = kind

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        from schwifty import BIC, IBAN
        from schwifty.exceptions import SchwiftyException

        text = super().convert(value, ctx, path, line)
        if text is INVALID:
            return text
        try:
            code = IBAN(text) if self.kind == "IBAN" else BIC(text, allow_invalid=False)
        except SchwiftyException as error:
            return ctx.error(line, path, f"invalid {self.kind}: {error}")
        return str(code.compact)


class LateInterest(Text):
    """``ecb+10`` (any ``ecb+N``), ``3x-legal``, or a fixed annual rate such as ``"12%"``."""

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        text = super().convert(value, ctx, path, line)
        if text is INVALID:
            return text
        return parse_late_interest(text) or ctx.error(
            line, path, f"{shown(text)} is not a late-interest rule: use ecb+10, 3x-legal or a fixed rate such as \"12%\""
        )


def parse_late_interest(text: str) -> LateInterestRule | None:
    compact = text.replace(" ", "").lower()
    if compact == "3x-legal":
        return LateInterestRule("3x-legal", text="3x-legal")
    if match := re.fullmatch(r"ecb\+(\d+(?:\.\d+)?)", compact):
        return LateInterestRule("ecb", Decimal(match.group(1)), text=compact)
    if match := re.fullmatch(r"(\d+(?:\.\d+)?)%", compact):
        return LateInterestRule("fixed", annual_rate=Decimal(match.group(1)), text=f"{match.group(1)}%")
    return None


class ListOf(Field):
    def __init__(self, item: Field, **kwargs: Any):
        kwargs.setdefault("default", ())
        super().__init__(**kwargs)
        self.item = item

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        if not isinstance(value, list):
            return ctx.error(line, path, "expected a list")
        items = []
        for index, element in enumerate(value):
            item_line = value.line_of(index) if isinstance(value, PosList) else line
            items.append(self.item.parse(element, ctx, f"{path}[{index}]", item_line))
        return INVALID if any(item is INVALID for item in items) else tuple(items)


class MapOf(Field):
    """A mapping whose keys are checked by ``key_check`` and values by ``value``."""

    def __init__(self, value: Field, key_check: Callable[[str], str | None] | None = None, **kwargs: Any):
        kwargs.setdefault("default", {})
        super().__init__(**kwargs)
        self.value, self.key_check = value, key_check

    def convert(self, raw: Any, ctx: Context, path: str, line: int) -> Any:
        if not isinstance(raw, dict):
            return ctx.error(line, path, "expected a mapping")
        result: dict[str, Any] = {}
        for key, element in raw.items():
            key_line = raw.line_of(key) if isinstance(raw, PosDict) else line
            message = self.key_check(key) if self.key_check else None
            if message:
                ctx.error(key_line, f"{path}.{key}", message)
                continue
            result[key] = self.value.parse(element, ctx, f"{path}.{key}", key_line)
        return INVALID if any(v is INVALID for v in result.values()) else result


class Extra(Field):
    """``extra:``: a mapping of anything a theme wants (a firm's data), handed to templates as is."""

    def convert(self, raw: Any, ctx: Context, path: str, line: int) -> Any:
        if not isinstance(raw, dict):
            return ctx.error(line, path, "expected a mapping (the values templates read as extra.<name>)")
        return _plain(raw)


def _plain(value: Any) -> Any:
    """A YAML value without its line bookkeeping: plain dicts and lists."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


class Record(Field):
    """A mapping with declared keys: unknown keys are errors, required keys must be there."""

    def __init__(self, fields: dict[str, Field], **kwargs: Any):
        super().__init__(**kwargs)
        self.fields = fields

    def convert(self, raw: Any, ctx: Context, path: str, line: int) -> Any:
        if not isinstance(raw, dict):
            return ctx.error(line, path, "expected a mapping of fields")
        prefix = f"{path}." if path else ""
        result: dict[str, Any] = {}
        failed = False
        for key in raw:
            if key not in self.fields:
                key_line = raw.line_of(key) if isinstance(raw, PosDict) else line
                ctx.error(key_line, f"{prefix}{key}", unknown_key_message(key, self.fields))
                failed = True
        for name, declared in self.fields.items():
            if name not in raw or raw[name] is None:
                if declared.required:
                    ctx.error(line, f"{prefix}{name}", "is required")
                    failed = True
                result[name] = declared.default
                continue
            value_line = raw.line_of(name) if isinstance(raw, PosDict) else line
            result[name] = declared.parse(raw[name], ctx, f"{prefix}{name}", value_line)
            failed = failed or result[name] is INVALID
        result["_line"] = getattr(raw, "line", line)
        return INVALID if failed else result


    def parse_sections(self, raw: Any, ctx: Context) -> dict[str, Any]:
        """Parse each top-level field on its own; a failed one gets its default (parsed
        from an empty value when it is a record) so later steps can go on checking."""
        if not isinstance(raw, dict):
            ctx.error(getattr(raw, "line", 1), "", "expected a mapping of sections")
            raw = {}
        for key in raw:
            if key not in self.fields:
                ctx.error(raw.line_of(key) if isinstance(raw, PosDict) else 1, key, unknown_key_message(key, self.fields))
        sections: dict[str, Any] = {}
        for name, declared in self.fields.items():
            line = raw.line_of(name) if isinstance(raw, PosDict) else 1
            value = declared.parse(raw[name], ctx, name, line) if raw.get(name) is not None else MISSING
            if value is MISSING and declared.required:
                ctx.error(1, name, "is required")
            if value is MISSING or value is INVALID:
                value = declared.parse({}, Context(ctx.file), name, line) if isinstance(declared, Record) else declared.default
                value = None if value is INVALID else value
            sections[name] = value
        return sections


def unknown_key_message(key: str, known: dict[str, Any]) -> str:
    close = difflib.get_close_matches(str(key), list(known), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else f"; known fields: {', '.join(known)}"
    return f"unknown field{hint}"


class ChannelSettings(Field):
    """A channel's settings: ``plugin`` plus free keys; secrets only as ``*_env`` names.

    A medium a plugin adds (any key of ``channels`` but the spec's media) also says which
    stages use it, ``stages: [reminder, overdue]``; the spec's media have the stages of the
    spec's table. The result keeps the medium's line as ``_line``."""

    def convert(self, raw: Any, ctx: Context, path: str, line: int) -> Any:
        if not isinstance(raw, dict):
            return ctx.error(line, path, "expected a mapping with at least a 'plugin' key")
        failed = False
        if not raw.get("plugin"):
            ctx.error(line, f"{path}.plugin", "is required: the name of the channel plugin that carries this medium")
            failed = True
        stages = self._stages(raw, ctx, path, line)
        failed = failed or stages is INVALID
        for key, value in raw.items():
            key_line = raw.line_of(key) if isinstance(raw, PosDict) else line
            lowered = str(key).lower()
            if not lowered.endswith("_env") and any(word in lowered for word in SECRET_WORDS):
                ctx.error(key_line, f"{path}.{key}", f"secrets are never written in site.yml: set '{key}_env' to the name of an environment variable that holds it")
                failed = True
            elif lowered.endswith("_env") and not (isinstance(value, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value)):
                ctx.error(key_line, f"{path}.{key}", f"{shown(value)} is not an environment variable name")
                failed = True
        if failed:
            return INVALID
        settings = PosDict({**raw, "stages": stages, "_line": line})  # a copy that still knows its lines
        settings.line, settings.key_lines = getattr(raw, "line", line), dict(getattr(raw, "key_lines", {}))
        return settings

    @staticmethod
    def _stages(raw: dict[str, Any], ctx: Context, path: str, line: int) -> Any:
        medium = path.rsplit(".", 1)[-1]
        key_line = raw.line_of("stages") if isinstance(raw, PosDict) else line
        if medium in MEDIA:
            if "stages" in raw:
                return ctx.error(key_line, f"{path}.stages", f"the stages of {medium} are the spec's (see \"Stages\"); stages: is for a medium a plugin adds")
            return ()
        if raw.get("stages") is None:
            return ctx.error(line, f"{path}.stages", f"is required for a medium a plugin adds: the stages whose documents go out by {medium}, among {', '.join(PLUGIN_MEDIUM_STAGES)}")
        if isinstance(raw["stages"], list) and "call" in raw["stages"]:
            return ctx.error(key_line, f"{path}.stages", f"the call stage is a person on the phone: a {medium} cannot stand for it, nor count as the call")
        stages = ListOf(Choice(PLUGIN_MEDIUM_STAGES)).parse(raw["stages"], ctx, f"{path}.stages", key_line)
        if stages is not INVALID and not stages:
            return ctx.error(key_line, f"{path}.stages", "name at least one stage")
        return stages




ADDRESS = Record(
    {
        "lines": ListOf(Text(), required=True),
        "postcode": Text(required=True),
        "city": Text(required=True),
        "country": Text(default="FR"),
    },
    required=True,
)

SITE_SECTION = Record(
    {
        "title": Text(default="Relances"),
        "language": Language(required=True),
        "theme": SitePath(default="classic"),
        "output": SitePath(default="_site"),
        "as_of": Date(),
    },
    required=True,
)

CREDITOR = Record(
    {
        "name": Text(required=True),
        "legal_form": Text(),
        "share_capital": Text(),
        "siren": Siren(),
        "vat_number": VatNumber(),
        "address": ADDRESS,
        "email": Email(required=True),
        "phone": Text(),
        "iban": BankCode("IBAN"),
        "bic": BankCode("BIC"),
        "payment_url": WebAddress(),
        "signatory": Record({"name": Text(required=True), "title": Text(default="")}),
        "rcs": Text(),
        "consumer_mediator": Record({"name": Text(required=True), "url": Text()}),
    },
    required=True,
)

TERMS = Record(
    {
        "payment_days": Integer(minimum=0, maximum=365, default=30),
        "late_interest": LateInterest(default=parse_late_interest("ecb+10")),
        "recovery_indemnity": Money(default=Decimal("40.00")),
        "day_count": Choice(DAY_COUNTS, default="actual/365"),
        "formal_notice_days": Integer(minimum=1, maximum=90, default=8),
        "delivery_days": Integer(minimum=0, maximum=15, default=3),
        "claim_paid_late": Boolean(default=True),
        "payment_allocation": Choice(PAYMENT_ALLOCATIONS, default="principal"),
    }
)

SCHEDULE_STEPS = ListOf(
    Record({"stage": Choice(STAGES, required=True), "days": Integer(required=True, minimum=-60, maximum=3650)})
)


class Schedule(Field):
    """``schedule:`` as a list of steps (working days on), or as a mapping
    ``{working_days: bool, steps: [...]}``; both parse to ``{"working_days", "steps", "_line"}``."""

    record = Record({"working_days": Boolean(default=True), "steps": SCHEDULE_STEPS})

    def convert(self, value: Any, ctx: Context, path: str, line: int) -> Any:
        if isinstance(value, list):
            steps = SCHEDULE_STEPS.parse(value, ctx, path, line)
            return INVALID if steps is INVALID else {"working_days": True, "steps": steps, "_line": line}
        return self.record.parse(value, ctx, path, line)


SCHEDULE = Schedule()

PROFILES = MapOf(
    Record({"shift_days": Integer(required=True, minimum=-365, maximum=365)}),
    key_check=lambda key: None if key in PAYER_PROFILES else f"unknown payer profile; use {', '.join(PAYER_PROFILES)}",
)

POLICY = Record(
    {
        "min_days_between_stages": Integer(minimum=0, maximum=365, default=7),
        "minimum_balance": Money(default=Decimal("0.00")),
        "call_wait_days": Integer(minimum=0, maximum=365, default=7),
    }
)

DATA = Record(
    {
        "clients": SitePath(default="data/clients.yml"),
        "invoices": SitePath(default="data/invoices.yml"),
        "journal": SitePath(default="journal/"),
        "invoice_copies": SitePath(default="invoices/"),
    }
)

RATES = Record(
    {
        "ecb": MapOf(Percent(), key_check=lambda key: None if _is_iso_date(key) else "expected an effective date YYYY-MM-DD"),
        "legal": MapOf(Percent(), key_check=lambda key: None if HALF_YEAR_PATTERN.fullmatch(str(key)) else "expected a half-year such as 2026-S2"),
    }
)

CHANNELS = MapOf(
    ChannelSettings(),
    key_check=lambda key: None if key in MEDIA or MEDIUM_PATTERN.fullmatch(str(key)) else (
        f"unknown medium; use {', '.join(MEDIA)}, or a medium a plugin adds (lowercase letters, digits, _)"
    ),
)

SITE_FILE = Record(
    {
        "site": SITE_SECTION,
        "creditor": CREDITOR,
        "terms": TERMS,
        "schedule": SCHEDULE,
        "profiles": PROFILES,
        "policy": POLICY,
        "data": DATA,
        "rates": RATES,
        "channels": CHANNELS,
        "plugins": ListOf(Text(), default=None),
        "extra": Extra(default={}),
    }
)

CONTACT = Record(
    {
        "name": Text(required=True),
        "role": Text(default=""),
        "email": Email(),
        "phone": Text(),
        "cc": Boolean(default=False),
        "civility": Choice(CIVILITIES),
    }
)

CLIENT = Record(
    {
        "id": Identifier(required=True),
        "name": Text(required=True),
        "kind": Choice(CLIENT_KINDS, default="b2b"),
        "siren": Siren(),
        "address": ADDRESS,
        "language": Language(),
        "contacts": ListOf(CONTACT),
        "payer": Choice(PAYER_PROFILES, default="average"),
        "usual_payment_days": Integer(minimum=0, maximum=365),
        "strategic": Boolean(default=False),
        "paused_until": Date(),
        "insolvency": Record({
            "procedure": Choice(INSOLVENCY_PROCEDURES, required=True),
            "judgment": Date(required=True),
            "published": Date(),
            "court": Text(),
            "mandataire": Record({"name": Text(required=True), "address": ADDRESS}),
            "security": Text(),
        }),
    }
)

INVOICE = Record(
    {
        "number": Text(required=True),
        "client": Text(required=True),
        "issued": Date(required=True),
        "due": Date(),
        "amount": Money(required=True, positive=True),
        "amount_excl_tax": Money(),
        "currency": Choice(("EUR",), default="EUR"),
        "subject": Text(default=""),
        "payments": ListOf(Record({"date": Date(required=True), "amount": Money(required=True, positive=True)})),
        "disputed": Text(multiline=True),
        "promise": Record({"date": Date(required=True), "amount": Money(positive=True)}),
        "file": InvoiceCopy(),
        "performed": Date(),
        "received": Date(),
        "late_interest": LateInterest(),
        "penalties_settled": Record({"date": Date(required=True), "how": Choice(PENALTY_SETTLEMENTS, required=True), "note": Text()}),
    }
)


def _is_iso_date(text: Any) -> bool:
    return parse_date(text) is not None
