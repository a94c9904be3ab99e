"""A YAML loader for configuration files that refuses what could hurt.

- **Duplicate keys** (``k: 1`` twice in one mapping) are an error at the second
  key's line (PyYAML keeps the last one silently).
- **Aliases** (``*name``) are allowed, but the document they expand to is bounded:
  at most :data:`MAX_NODES` nodes after expansion (a "billion laughs" document is
  refused at once instead of filling memory), and an alias inside the node it
  refers to (a self-referencing structure) is refused.
- Only plain data (``yaml.SafeLoader``): no Python objects.

Every problem is a :class:`~projner.errors.ConfigError` with the file and line.
:func:`load_json` refuses duplicate keys in JSON configurations the same way (TOML's
parser refuses them itself).
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from .errors import ConfigError

__all__ = ["load_yaml", "load_json", "MAX_NODES"]

MAX_NODES = 100_000  # a configuration has dozens; a generated one maybe thousands


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:  # the mapping's own keys (before "<<" merges add theirs)
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    continue  # SafeLoader reports unhashable keys itself
                if key in seen:
                    raise ConfigError(f"duplicate key {key!r} (first given on line {seen[key]})",
                                      getattr(self, "_projner_path", None), key_node.start_mark.line + 1)
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _check_expansion(root: yaml.Node, path: Any) -> None:
    """Refuse a node graph that expands to more than MAX_NODES nodes or contains a cycle."""
    count = 0
    on_path: set[int] = set()
    # iterative depth-first walk; ("exit", node) pops the node off the current path
    stack: list[tuple[str, yaml.Node]] = [("enter", root)]
    while stack:
        action, node = stack.pop()
        if action == "exit":
            on_path.discard(id(node))
            continue
        if id(node) in on_path:
            raise ConfigError("an alias refers to a node that contains it (a self-referencing structure)",
                              path, node.start_mark.line + 1)
        count += 1
        if count > MAX_NODES:
            raise ConfigError(f"the document expands to more than {MAX_NODES:,} values through aliases "
                              "(a 'billion laughs' document?); write it out without aliases",
                              path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            continue
        on_path.add(id(node))
        stack.append(("exit", node))
        children = node.value if isinstance(node, yaml.SequenceNode) else [x for kv in node.value for x in kv]
        stack.extend(("enter", child) for child in reversed(children))


def load_yaml(text: str, path: str | os.PathLike | None = None) -> Any:
    """Parse ``text`` (the contents of ``path``) as one YAML document of plain data."""
    loader = _Loader(text)
    loader._projner_path = None if path is None else os.fspath(path)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, path)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load_json(text: str, path: str | os.PathLike | None = None) -> Any:
    """``json.loads`` that refuses a key given twice in one object (at the second one's line)."""
    import json
    import re

    def pairs(items):
        out: dict = {}
        for key, value in items:
            if key in out:  # line: the key's second appearance in the text (exact unless nested objects share it)
                hits = [m.start() for m in re.finditer(rf'"{re.escape(key)}"\s*:', text)]
                pos = hits[1] if len(hits) > 1 else 0
                raise ConfigError(f"duplicate key {key!r}", path, text.count("\n", 0, pos) + 1)
            out[key] = value
        return out

    return json.loads(text, object_pairs_hook=pairs)
