"""Reading a document from outside (a YAML or JSON file, a share link's payload) with limits.

Every scenario document the program reads comes through ``load_document``: the file the CLI is
given, the file uploaded in the Share box, a preset, and the JSON payload of a share link. It
parses with libyaml (PyYAML's C parser) and composes the node tree itself, without recursion,
counting as it goes, so that a hostile document stops at a limit instead of exhausting time,
memory or the stack:

- at most ``MAX_DOCUMENT_CHARS`` characters (checked before parsing);
- at most ``MAX_DEPTH`` nested collections (``[[[[…`` 20,000 deep is refused at level 51);
- at most ``MAX_NODES`` values, each alias counted as the whole value it repeats (an alias bomb of
  nine levels of nine-fold aliases is refused after 100,000 values, not expanded to 387 million);
- at most ``MAX_ALIASES`` aliases, and no alias of a collection that is still open (a cycle);
- a key given twice in one mapping (YAML: both its lines are named) or JSON object is refused, where
  YAML and ``json`` would keep the later value without a word; YAML's merge key ``<<`` keeps its meaning;
- an integer of more than ``MAX_INT_DIGITS`` digits is read as a ``LongNumber`` (its text), which
  every number field rejects by its bounds, instead of Python's int-from-text limit (4,300 digits)
  raising ``ValueError``.

Any failure, of any exception class, becomes ``DocumentError`` with one short message that names
the line and column when the parser knows them. ``shown`` is the one way a value from outside is
quoted in a message: bounded, whatever the value.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from pricing.catalog_yaml import repeated_key

try:  # libyaml, the C parser: PyYAML's wheels ship it
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - a PyYAML built without libyaml: the same events, slower
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


MAX_DOCUMENT_CHARS = 1_000_000  # a scenario is a few hundred characters; the Share box accepts 1 MB
MAX_DEPTH = 50  # a scenario nests 4 deep
MAX_NODES = 100_000  # values, aliases expanded
MAX_ALIASES = 1_000
MAX_INT_DIGITS = 100  # the largest bound of any number field has 16 digits
MAX_SHOWN_CHARS = 60  # of a text quoted in a message
MAX_MESSAGE_CHARS = 300  # of one problem


class DocumentError(ValueError):
    """The text is not a readable document; ``str(exc)`` is one bounded line."""


class LongNumber(str):
    """An integer literal too long to be a number of this program (its digits, kept as text)."""

    def __repr__(self) -> str:
        return f"a {len(self.lstrip('+-')):,}-digit number"


def shown(value: Any, limit: int = MAX_SHOWN_CHARS) -> str:
    """A value from outside as a message quotes it: never longer than about ``limit`` characters.

    Collections are described, never printed (an aliased list can stand for millions of values);
    texts are cut; integers too long to print are described by their number of digits.

    >>> shown("gpt-5")
    "'gpt-5'"
    >>> shown("x" * 1000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'… (1,000 characters)"
    >>> shown(10**400), shown([[1, 2]] * 10**6), shown(1e400), shown(1.0)
    ('a 401-digit number', 'a list of 1,000,000 items', 'inf', '1.0')
    """
    if isinstance(value, LongNumber):
        return repr(value)
    if isinstance(value, bool) or value is None:
        return repr(value).lower() if value is not None else "null"
    if isinstance(value, int):
        try:
            digits = len(str(abs(value)))
        except ValueError:  # more than Python's 4,300 digits: count them from the bits
            return f"a number of about {int(value.bit_length() * 0.30103):,} digits"
        return str(value) if digits <= 20 else f"a {digits:,}-digit number"
    if isinstance(value, float):
        return repr(value)  # 1.0, not 1: a float where an int is expected must read as one
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    if isinstance(value, list | tuple):
        return f"a list of {len(value):,} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return f"a mapping of {len(value):,} key{'s' if len(value) != 1 else ''}"
    return f"a value of type {type(value).__name__}"


def named(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """A name (a model, a key) as a message prints it: as it is when short and printable, else ``shown``.

    >>> named("gpt-5"), named("a" * 61)
    ('gpt-5', "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'… (61 characters)")
    """
    return text if isinstance(text, str) and len(text) <= limit and text.isprintable() else shown(text)


def bounded(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """One message line cut to ``limit`` characters."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


# ------------------------------------------------------------------------------------ YAML


class _Limited(_Parser, SafeConstructor, Resolver):
    """``yaml.CSafeLoader`` with a composer that counts (see the module docstring)."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def get_single_node(self):
        self.get_event()  # stream start
        node = None
        if not self.check_event(StreamEndEvent):
            node = self._compose_document()
        if not self.check_event(StreamEndEvent):
            event = self.get_event()
            raise yaml.composer.ComposerError("expected a single document", None, "but found another document", event.start_mark)
        self.get_event()
        return node

    def _compose_document(self):
        self.get_event()  # document start
        anchors: dict[str, Any] = {}
        sizes: dict[str, int] = {}  # anchor → values it stands for, its own aliases expanded
        open_anchors: set[str] = set()
        stack: list[list] = []  # [node, pending mapping key, anchor, values counted when it opened]
        root = None
        count = aliases = 0
        while True:
            event = self.get_event()
            if isinstance(event, DocumentEndEvent):
                break
            if isinstance(event, AliasEvent):
                aliases += 1
                _check_alias(event, aliases, anchors, open_anchors)
                node = anchors[event.anchor]
                count += sizes[event.anchor]
            elif isinstance(event, ScalarEvent):
                node = self._scalar_node(event)
                count += 1
                if event.anchor is not None:
                    anchors[event.anchor], sizes[event.anchor] = node, 1
            elif isinstance(event, CollectionStartEvent):
                node = self._collection_node(event, len(stack))
                count += 1
                if event.anchor is not None:
                    anchors[event.anchor] = node
                    open_anchors.add(event.anchor)
            else:  # the end of a collection
                node, _, anchor, opened = stack.pop()
                node.end_mark = event.end_mark
                if anchor is not None:
                    open_anchors.discard(anchor)
                    sizes[anchor] = count - opened + 1
                if stack:
                    _attach(stack[-1], node)
                else:
                    root = node
                continue
            if count > MAX_NODES:
                raise _limit(f"more than {MAX_NODES:,} values (aliases counted in full)", event)
            if isinstance(event, CollectionStartEvent):
                stack.append([node, _NO_KEY, event.anchor, count])
            elif stack:
                _attach(stack[-1], node)
            else:
                root = node
        return root

    def _scalar_node(self, event: ScalarEvent) -> ScalarNode:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolve(ScalarNode, event.value, event.implicit)
        return ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)

    def _collection_node(self, event: CollectionStartEvent, depth: int):
        """An empty sequence or mapping node (filled as its items arrive), ``depth`` collections deep."""
        if depth >= MAX_DEPTH:
            raise _limit(f"nested deeper than {MAX_DEPTH} levels", event)
        kind = SequenceNode if isinstance(event, SequenceStartEvent) else MappingNode
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolve(kind, None, event.implicit)
        return kind(tag, [], event.start_mark, None, flow_style=event.flow_style)

    def construct_mapping(self, node, deep=False):
        """A key given twice in one mapping is refused (``requests_per_month`` written twice would price
        whichever comes last); YAML's merge key ``<<`` keeps its meaning."""
        if isinstance(node, MappingNode) and (repeated := repeated_key(self, node)):
            key, first, key_node = repeated
            raise ConstructorError(None, None, f"key {shown(key)} is given twice (first at line {first})", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):
        digits = node.value.replace("_", "")
        if len(digits.lstrip("+-")) > MAX_INT_DIGITS and digits.lstrip("+-").isdigit():
            return LongNumber(digits)
        return super().construct_yaml_int(node)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise ConstructorError(None, None, f"{shown(node.value)} is not a valid date", node.start_mark) from None


_NO_KEY = object()
_Limited.add_constructor("tag:yaml.org,2002:int", _Limited.construct_yaml_int)
_Limited.add_constructor("tag:yaml.org,2002:timestamp", _Limited.construct_yaml_timestamp)


def _attach(frame: list, node) -> None:
    parent = frame[0]
    if isinstance(parent, SequenceNode):
        parent.value.append(node)
    elif frame[1] is _NO_KEY:
        frame[1] = node
    else:
        parent.value.append((frame[1], node))
        frame[1] = _NO_KEY


def _check_alias(event: AliasEvent, aliases: int, anchors: dict, open_anchors: set[str]) -> None:
    """An alias may stand for a defined anchor that is not one of the collections still open, at most MAX_ALIASES times."""
    if aliases > MAX_ALIASES:
        raise _limit(f"more than {MAX_ALIASES:,} aliases", event)
    if event.anchor in open_anchors:
        raise _limit(f"alias *{event.anchor[:40]} refers to a collection that contains it", event)
    if event.anchor not in anchors:
        raise _limit(f"alias *{event.anchor[:40]} is not defined", event)


class _LimitExceeded(yaml.MarkedYAMLError):
    pass


def _limit(problem: str, event) -> _LimitExceeded:
    return _LimitExceeded(None, None, problem, event.start_mark)


def _where(exc: BaseException) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, yaml.YAMLError):
        parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
        text = ", ".join(str(p) for p in parts if p) or str(exc)
        return bounded(" ".join(text.split()), 160)  # one line, whatever the parser wrote
    if isinstance(exc, RecursionError):
        return f"nested deeper than {MAX_DEPTH} levels"
    if isinstance(exc, MemoryError):
        return "too large to read"
    return bounded(f"{type(exc).__name__}: {exc}", 160)


def load_yaml(text: str) -> Any:
    """The document in ``text`` (YAML, or JSON, which is YAML), read with the limits above.

    >>> load_yaml("a: &x [1, 2]\\nb: *x")
    {'a': [1, 2], 'b': [1, 2]}
    >>> load_yaml("[" * 60 + "]" * 60)
    Traceback (most recent call last):
    calculators.document.DocumentError: nested deeper than 50 levels at line 1, column 51
    """
    _check_size(text)
    try:
        loader = _Limited(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _LimitExceeded as exc:
        raise DocumentError(f"{_reason(exc)}{_where(exc)}") from None
    except Exception as exc:  # the document boundary: nothing a document does escapes as anything else
        raise DocumentError(f"not valid YAML{_where(exc)}: {_reason(exc)}") from None


def _check_size(text: str) -> None:
    if len(text) > MAX_DOCUMENT_CHARS:
        raise DocumentError(f"has {len(text):,} characters; at most {MAX_DOCUMENT_CHARS:,} are read")


# ------------------------------------------------------------------------------------ JSON


def _json_int(text: str) -> int | LongNumber:
    return LongNumber(text) if len(text.lstrip("-")) > MAX_INT_DIGITS else int(text)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all different (``json`` would keep the later of two silently)."""
    doc = dict(pairs)
    if len(doc) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise DocumentError(f"key {shown(twice)} is given twice in one object")
    return doc


def load_json(text: str) -> Any:
    """The JSON document in ``text``, with the same limits as ``load_yaml`` (a share link's payload).

    >>> load_json('{"rpm": 1' + "0" * 400 + '}')
    {'rpm': a 401-digit number}
    """
    _check_size(text)
    try:
        doc = json.loads(text, parse_int=_json_int, object_pairs_hook=_json_object)
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(f"not valid JSON: {_reason(exc)}") from None
    _check_tree(doc)
    return doc


def _check_tree(doc: Any) -> None:
    """Depth and size limits on a parsed tree (iterative: the tree may be deep)."""
    count = 0
    todo = [(doc, 1)]
    while todo:
        value, depth = todo.pop()
        count += 1
        if count > MAX_NODES:
            raise DocumentError(f"too large: more than {MAX_NODES:,} values")
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise DocumentError(f"too deep: nested deeper than {MAX_DEPTH} levels")
            items = value.values() if isinstance(value, dict) else value
            todo.extend((item, depth + 1) for item in items)
