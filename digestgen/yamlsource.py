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

    def __init__(self, message: str, line: int | None, *, syntax: bool = True):
        super().__init__(message)
        self.message = message
        self.line = line
        self.syntax = syntax
        """False when the YAML is valid but asks for more than the limits allow."""


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


MAX_VALUES = 10_000
"""Most values a document may hold once its aliases (``*name``) are expanded."""
MAX_DEPTH = 20
"""Deepest nesting of lists and mappings a document may use."""


def parse(text: str) -> Located:
    """Parse one YAML document; raise :class:`YamlError` with a line on failure.

    The document is composed into nodes first (an alias is one shared node there, so this is
    cheap whatever it asks for); it is refused if, expanded, it would hold more than
    :data:`MAX_VALUES` values or nest deeper than :data:`MAX_DEPTH`, and only then turned into
    Python values.
    """
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _check_limits(node)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        # The context (where an unclosed bracket or quote began) is where the fix goes.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"invalid YAML: {problem}", line) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        raise YamlError(f"invalid YAML: character {exc.character!r} is not allowed", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", None) from None
    except RecursionError:
        raise YamlError(f"invalid YAML: nested too deeply (at most {MAX_DEPTH} levels)", None) from None
    lines: dict[Path, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return Located(data, lines)


def _check_limits(root: yaml.Node) -> None:
    """Raise :class:`YamlError` if ``root`` expands to too many values or nests too deeply.

    Sizes are counted once per node (memoised), so an alias bomb is measured without being expanded.
    """
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    # Children before parents, without recursion: an iterative post-order walk.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        kids = _children(node)
        if not done:
            if id(node) in depths:  # on the path already: a recursive alias
                raise YamlError("an alias (*name) refers to the value that contains it; write the values out",
                                node.start_mark.line + 1, syntax=False)
            depths[id(node)] = -1
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in sizes)
            continue
        size = 1 + sum(sizes[id(k)] for k in kids)
        depth = 1 + max((depths[id(k)] for k in kids), default=0)
        if depth > MAX_DEPTH:
            raise YamlError(f"values nested more than {MAX_DEPTH} levels deep; front matter needs only a few",
                            node.start_mark.line + 1, syntax=False)
        if size > MAX_VALUES:
            raise YamlError(f"the aliases (*name) expand to more than {MAX_VALUES:,} values; "
                            "write the values out instead", node.start_mark.line + 1, syntax=False)
        sizes[id(node)], depths[id(node)] = size, depth


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


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
