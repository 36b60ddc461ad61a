"""URLs resolved once per name, not at every use: the pages' one URL helper, `url()`.

reverse() resolves the pattern every time (25–40 µs); My day draws 100+ rows with two
links each, and every page's menu and footer ~15 more. `{{ url("customers:detail", c.pk) }}`
reverses a name once with a placeholder id and fills in each row's id; `{{ url("home") }}`
(and `fixed_url` in Python) reverses a URL without arguments once per process. Anything
else (several arguments, a string) goes to reverse() as it is.
"""

from functools import lru_cache

from django.urls import get_script_prefix, reverse

_PLACEHOLDER = "2147483647"


@lru_cache(maxsize=128)
def _around_pk(name: str, script_prefix: str) -> tuple[str, str]:
    # The script prefix is part of the key: reverse() puts it in front of every URL.
    head, tail = reverse(name, args=[_PLACEHOLDER]).split(_PLACEHOLDER)
    return head, tail


@lru_cache(maxsize=256)
def _fixed(name: str, script_prefix: str) -> str:
    return reverse(name)


def fixed_url(name: str) -> str:
    """reverse(name) for a URL without arguments, resolved once per name."""
    return _fixed(name, get_script_prefix())


def url(name: str, *args, **kwargs) -> str:
    """reverse(name, args=args, kwargs=kwargs), as pages write it: `url(name, *args)`."""
    if kwargs:
        return reverse(name, args=args or None, kwargs=kwargs)
    if not args:
        return fixed_url(name)
    if len(args) == 1 and type(args[0]) is int and args[0] >= 0:  # an id (not a bool)
        head, tail = _around_pk(name, get_script_prefix())
        return f"{head}{args[0]}{tail}"
    return reverse(name, args=args)
