"""The API's JSON parser: DRF's, with a bound on nesting.

A body nested 1,000 deep made Python's decoder raise RecursionError (a 500); one a little
shallower parsed and then recursed through validation and error formatting. No request of
ours nests deeper than a few levels, so anything past MAX_DEPTH is refused as malformed."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def json_depth_exceeds(data, limit: int = MAX_DEPTH) -> bool:
    """True when lists/objects nest deeper than `limit`; iterative, so it cannot recurse."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.") from None
        if json_depth_exceeds(data):
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
        return data
