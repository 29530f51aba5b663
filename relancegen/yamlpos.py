"""YAML loading that remembers where every value came from.

PyYAML's composer gives each node its start mark; we build plain Python values but keep,
for every mapping, the line of each key, so validation errors can say ``file:line``.
Duplicate keys, which PyYAML silently accepts, are reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from relancegen.errors import Location, Problem


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


# libyaml's parser when PyYAML was built with it (about 20 times faster on large invoice
# files); the constructors below, which keep line numbers, work with both.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """A safe loader whose mappings and sequences carry line numbers."""

    def __init__(self, stream: str, file: str, problems: list[Problem]):
        super().__init__(stream)
        self.file = file
        self.problems = problems


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> PosDict:
    loader.flatten_mapping(node)
    result = PosDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            loader.problems.append(Problem(Location(loader.file, line), "", "a key must be a plain value"))
            continue
        key = str(key) if not isinstance(key, str) else key
        if key in result:
            loader.problems.append(
                Problem(Location(loader.file, line), key, f"duplicate key (first at line {result.key_lines[key]})")
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> PosList:
    result = PosList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp_as_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    # Dates stay text so that the schema validates them with a clear message.
    return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)
# Numbers with decimals stay text too: money must never pass through float.
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_timestamp_as_text)


def load_yaml(path: Path, display_name: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML file. Returns (data or None, problems); never raises for bad YAML."""
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(Location(display_name), "", f"not UTF-8 text ({error.reason})")]
    loader = _Loader(text, display_name, problems)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        return None, [Problem(Location(display_name, line), "", f"invalid YAML: {error.problem}")]
    finally:
        loader.dispose()
    return data, problems
