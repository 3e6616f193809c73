"""The YAML of a bloc file, read safely into plain data, with what pydantic cannot see in it.

Two things are lost once YAML has made plain data of a file, so the loader looks for them: a key
written twice in one mapping (YAML keeps only the last), refused with its line and column; and a
text that an unquoted comma split in a one-line mapping, marked so that the bloc file's model
(``bot.blocfile.model``) can ask for quotes at its path.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import yaml

__all__ = ["DuplicateKey", "SplitText", "read_yaml"]

_SPLIT = "tag:blocbot,2025:split"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"


def read_yaml(text: str) -> Any:
    """Plain data of a bloc file's YAML, read the way ``parse_bloc`` reads it (safely)."""
    return yaml.load(text, Loader=_Loader)


class DuplicateKey(Exception):
    """A key written twice in one mapping; ``where`` has the key, its line and column."""

    def __init__(self, key: str, mark: yaml.Mark) -> None:
        super().__init__(key)
        self.where = {"key": key, "line": mark.line + 1, "column": mark.column + 1}


class SplitText(str):
    """A text that an unquoted comma split in a one-line mapping, joined again to be shown.

    In ``{code: I.1, title: Thi đua, khen thưởng, max: 5}`` YAML reads the title ``Thi đua`` and
    a key ``khen thưởng`` without a value. Taking the two for one title would change what the
    file says without a word, so no field accepts a split text: each asks for quotes instead.
    """


# libyaml's parser where PyYAML has it (a bloc file reads about four times faster), else PyYAML's.
if TYPE_CHECKING or not yaml.__with_libyaml__:  # noqa: SIM108 (mypy reads one base)
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = yaml.CSafeLoader


class _Loader(_SafeLoader):
    """The safe loader, refusing a key written twice and marking texts split by a comma."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        if node.flow_style:
            node.value = _mark_split_texts(node.value)
        seen: set[tuple[str, str]] = set()
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE:
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise DuplicateKey(key_node.value, key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep)


def _split(loader: yaml.SafeLoader, node: yaml.Node) -> SplitText:
    value = loader.construct_scalar(node)  # type: ignore[arg-type]
    return SplitText(value)


_Loader.add_constructor(_SPLIT, _split)


def _mark_split_texts(
    pairs: list[tuple[yaml.Node, yaml.Node]],
) -> list[tuple[yaml.Node, yaml.Node]]:
    """The pairs of a one-line mapping, each key without a value that follows an unquoted value
    joined back to that value, which is marked as a split text."""
    kept: list[tuple[yaml.Node, yaml.Node]] = []
    for key, value in pairs:
        fragment = (
            isinstance(key, yaml.ScalarNode)
            and not key.style  # plain: None from PyYAML's parser, "" from libyaml's
            and isinstance(value, yaml.ScalarNode)
            and value.tag == _NULL
            and value.value == ""
        )
        previous = kept[-1][1] if kept else None
        if fragment and isinstance(previous, yaml.ScalarNode) and not previous.style:
            previous.value = f"{previous.value}, {key.value}"
            previous.tag = _SPLIT
            continue
        kept.append((key, value))
    return kept
