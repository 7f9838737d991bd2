"""YAML parsing that remembers where each value was written, so errors can name the line."""
from __future__ import annotations

from dataclasses import dataclass

import yaml

try:  # the C loader is several times faster; PyYAML ships it in its wheels
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - only on builds without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]

Path = tuple[str | int, ...]


class _Loader(SafeLoader):
    """SafeLoader that leaves dates as text, so every date form is checked in one place
    (and an impossible date such as 2022-02-30 gets a proper message, not a crash)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in SafeLoader.yaml_implicit_resolvers.items()
}


class YamlError(Exception):
    """Invalid YAML; ``line`` is 1-based within the parsed text."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Located:
    """Parsed YAML data plus the 1-based line of every key and list item, by path."""

    data: object
    lines: dict[Path, int]

    def line(self, *path: str | int, default: int | None = None) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        p: Path = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return default


def parse(text: str) -> Located:
    """Parse one YAML document; raise :class:`YamlError` with a line on failure."""
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        # The context (where an unclosed bracket or quote began) is where the fix goes.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"invalid YAML: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", None) from None
    lines: dict[Path, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return Located(data, lines)


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                child = path + (key.value,)
                lines[child] = key.start_mark.line + 1
                _walk(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = path + (i,)
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines)
