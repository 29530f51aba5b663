"""YAML loading that remembers where every value came from.

Values are built straight from the parser's events (libyaml's, when PyYAML was built with
it) rather than through PyYAML's node graph, which on a file of 10,000 invoices is several
times faster than ``yaml.load``. Every mapping keeps the line of each key and every
sequence the line of each item, so validation errors can say ``file:line``. Duplicate keys,
which PyYAML silently accepts, are reported. Dates and numbers with decimals stay text, so
that the schema gives dates a clear message and money never passes through a float.
Anchors, aliases and merge keys (``<<``) work as in ``yaml.safe_load``, but the values
aliases stand for are counted: past :data:`MAX_ALIASED_NODES` the file is refused, so a
"billion laughs" file of a few hundred bytes cannot make a later step walk billions of
values. A value that PyYAML cannot build (``!!int abc``, a 5,000-digit number) or a control
character in the text is a located problem, never an exception.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from relancegen.errors import Location, Problem, shown

# Tags whose values stay the text as written.
TEXT_TAGS = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float"})
MERGE_TAG = "tag:yaml.org,2002:merge"
PLAIN_COLLECTION_TAGS = frozenset({None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})

#: How many values (scalars and collections) the aliases of one file may stand for in all.
#: ``<<: *defaults`` on 10,000 clients with 20 default fields is 200,000.
MAX_ALIASED_NODES = 1_000_000

# libyaml's parser when PyYAML was built with it; the pure-Python one otherwise.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PosDict(dict):
    """A dict that also knows the line of each key and of itself."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class PosList(list):
    """A list that knows the line of itself and of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def load_yaml(path: Path, display_name: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML file. Returns (data or None, problems); never raises for bad YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(Location(display_name), "", f"not UTF-8 text ({error.reason})")]
    return load_yaml_text(text, display_name)


def load_yaml_text(text: str, display_name: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text (a letter's front matter, a theme.yml) as :func:`load_yaml` does."""
    problems: list[Problem] = []
    loader = _SafeLoader(text)
    try:
        data = _Builder(loader, display_name, problems).run()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        return None, [Problem(Location(display_name, line), "", f"invalid YAML: {error.problem}")]
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        character = f"U+{error.character:04X}" if isinstance(error.character, int) else shown(error.character)
        return None, [Problem(Location(display_name, line), "", f"invalid YAML: {error.reason}, found {character}")]
    except _InvalidYaml as error:
        return None, [Problem(Location(display_name, error.line), "", f"invalid YAML: {error.message}")]
    except yaml.YAMLError as error:
        return None, [Problem(Location(display_name), "", f"invalid YAML: {shown(str(error))}")]
    finally:
        loader.dispose()
    return data, problems


class _InvalidYaml(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


_MERGE = object()  # stands for the key ``<<``


class _Mapping:
    """A mapping being built: alternately waiting for a key and for its value."""

    __slots__ = ("value", "awaiting_key", "key", "key_line", "skip_value", "merges", "size", "anchor")

    def __init__(self, line: int):
        self.value = PosDict()
        self.value.line = line
        self.value.key_lines = {}
        self.awaiting_key = True
        self.key: Any = None
        self.key_line = 0
        self.skip_value = False  # set when the key was not a plain value
        self.merges: list[Any] = []
        self.size = 1  # values in this mapping, itself included, as aliases would repeat them
        self.anchor: str | None = None


class _Sequence:
    __slots__ = ("value", "size", "anchor")

    def __init__(self, line: int):
        self.value = PosList()
        self.value.line = line
        self.value.item_lines = []
        self.size = 1
        self.anchor: str | None = None


class _Builder:
    """Builds the value of a one-document YAML stream from its events."""

    def __init__(self, loader: Any, file: str, problems: list[Problem]):
        self.loader = loader
        self.file = file
        self.problems = problems
        self.implicit_resolvers = loader.yaml_implicit_resolvers
        self.anchors: dict[str, Any] = {}
        self.anchor_sizes: dict[str, int] = {}
        self.aliased_nodes = 0
        self.stack: list[_Mapping | _Sequence] = []
        self.documents: list[Any] = []

    def run(self) -> Any:
        get_event = self.loader.get_event
        while True:
            event = get_event()
            kind = type(event)
            if kind is ScalarEvent:
                value = self._scalar(event)
                if event.anchor is not None:
                    self.anchors[event.anchor] = value
                    self.anchor_sizes[event.anchor] = 1
                self._add(value, event.start_mark.line + 1)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                self._open(event)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                self._close()
            elif kind is AliasEvent:
                if event.anchor not in self.anchors:
                    raise _InvalidYaml(event.start_mark.line + 1, f"found undefined alias {event.anchor!r}")
                self._count_alias(event)
                self._add(self.anchors[event.anchor], event.start_mark.line + 1, self.anchor_sizes[event.anchor])
            elif kind is DocumentStartEvent and self.documents:
                raise _InvalidYaml(event.start_mark.line + 1, "expected a single document in the file")
            elif kind is StreamEndEvent:
                return self.documents[0] if self.documents else None

    def _count_alias(self, event: AliasEvent) -> None:
        if event.anchor not in self.anchor_sizes:  # its collection is still open
            raise _InvalidYaml(event.start_mark.line + 1, f"the alias *{event.anchor} is inside the value it names (a cycle)")
        self.aliased_nodes += self.anchor_sizes[event.anchor]
        if self.aliased_nodes > MAX_ALIASED_NODES:
            raise _InvalidYaml(
                event.start_mark.line + 1,
                f"the aliases of this file stand for more than {MAX_ALIASED_NODES:,} values "
                "(aliases of aliases multiply): write the values out, or use fewer levels of aliases",
            )

    def _scalar(self, event: ScalarEvent) -> Any:
        value = event.value
        tag = event.tag
        explicit = tag is not None and tag != "!"
        if not explicit:
            if not event.implicit[0]:
                return value  # quoted
            if value and value[0] not in self.implicit_resolvers:
                return value  # cannot be a null, a boolean or a number
            tag = self.loader.resolve(yaml.ScalarNode, value, (True, False))
            if tag == MERGE_TAG:
                return _MERGE
        if tag in TEXT_TAGS:
            return value
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
        try:
            return self.loader.construct_object(node)
        except yaml.constructor.ConstructorError as error:
            raise _InvalidYaml(event.start_mark.line + 1, str(error.problem)) from error
        except (ValueError, KeyError, TypeError, OverflowError):
            # ``!!int abc``, ``!!bool maybe``, or a number past Python's 4,300 digits. A
            # plain value stays the text as written, for the schema to judge by its field.
            if explicit:
                short_tag = tag.replace("tag:yaml.org,2002:", "!!")
                frame = self.stack[-1] if self.stack else None
                key = frame.key if type(frame) is _Mapping and not frame.awaiting_key and isinstance(frame.key, str) else ""
                self.problems.append(Problem(Location(self.file, event.start_mark.line + 1), key, f"{shown(value)} is not a valid {short_tag} value"))
            return value

    def _open(self, event: CollectionStartEvent) -> None:
        line = event.start_mark.line + 1
        if event.tag not in PLAIN_COLLECTION_TAGS:
            raise _InvalidYaml(line, f"unsupported tag {event.tag}")
        frame = _Mapping(line) if type(event) is MappingStartEvent else _Sequence(line)
        if event.anchor is not None:
            self.anchors[event.anchor] = frame.value
            self.anchor_sizes.pop(event.anchor, None)  # known once the collection closes
            frame.anchor = event.anchor
        self.stack.append(frame)

    def _close(self) -> None:
        frame = self.stack.pop()
        if type(frame) is _Mapping and frame.merges:
            self._merge(frame)
        if frame.anchor is not None:
            self.anchor_sizes[frame.anchor] = frame.size
        self._add(frame.value, frame.value.line, frame.size)

    def _add(self, value: Any, line: int, size: int = 1) -> None:
        if not self.stack:
            self.documents.append(value)
            return
        frame = self.stack[-1]
        frame.size += size
        if type(frame) is _Sequence:
            frame.value.append(value)
            frame.value.item_lines.append(line)
        elif frame.awaiting_key:
            self._take_key(frame, value, line)
        else:
            frame.awaiting_key = True
            if frame.skip_value:
                frame.skip_value = False
            elif frame.key is _MERGE:
                frame.merges.append((value, line))
            else:
                frame.value[frame.key] = value
                frame.value.key_lines[frame.key] = frame.key_line

    def _take_key(self, frame: _Mapping, key: Any, line: int) -> None:
        frame.awaiting_key = False
        frame.key_line = line
        if key is _MERGE:
            frame.key = key
            return
        if key is not None and not isinstance(key, (str, int, float, bool)):
            self.problems.append(Problem(Location(self.file, line), "", "a key must be a plain value"))
            frame.skip_value = True
            return
        key = key if isinstance(key, str) else str(key)
        if key in frame.value:
            first = frame.value.key_lines[key]
            self.problems.append(Problem(Location(self.file, line), key, f"duplicate key (first at line {first})"))
        frame.key = key

    def _merge(self, frame: _Mapping) -> None:
        """``<<: *defaults`` (or a list of them): the keys the mapping does not set itself."""
        for value, line in frame.merges:
            sources = value if isinstance(value, list) else [value]
            if not all(isinstance(source, PosDict) for source in sources):
                raise _InvalidYaml(line, "a merge key (<<) needs a mapping or a list of mappings")
            for source in sources:
                for key, item in source.items():
                    if key not in frame.value:
                        frame.value[key] = item
                        frame.value.key_lines[key] = source.key_lines.get(key, line)
