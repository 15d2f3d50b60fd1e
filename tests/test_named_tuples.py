"""The package's NamedTuple behaves as collections.namedtuple does, field for field: a
differential test against the standard library's records with the same fields."""

from __future__ import annotations

import collections
import copy
import pickle
import sys

import pytest

from lazyimport_codemod.named_tuples import NamedTuple


class Point(NamedTuple):
    """A point, documented."""

    x: int
    y: int = 0
    label: str = "origin"

    @property
    def norm(self) -> int:
        return abs(self.x) + abs(self.y)

    def moved(self, dx: int) -> Point:
        return self._replace(x=self.x + dx)

    def __str__(self) -> str:
        return f"<{super().__str__()}>"


class Pair(NamedTuple):
    first: int
    second: int


Reference = collections.namedtuple("Point", ["x", "y", "label"], defaults=[0, "origin"])


@pytest.mark.parametrize("args, kwargs", [((1,), {}), ((1, 2), {}), ((1, 2, "a"), {}), ((), {"x": 3, "label": "b"}),
                                          ((4,), {"y": 5})])
def test_construction_matches_collections(args: tuple, kwargs: dict) -> None:
    ours, theirs = Point(*args, **kwargs), Reference(*args, **kwargs)
    assert tuple(ours) == tuple(theirs)
    assert repr(ours) == repr(theirs)
    assert ours._asdict() == theirs._asdict()
    assert ours == theirs and hash(ours) == hash(theirs)
    assert ours._replace(y=9) == theirs._replace(y=9)
    assert (ours.x, ours.y, ours.label) == (theirs.x, theirs.y, theirs.label)
    assert ours[1] == theirs[1]


def test_class_attributes_match_collections() -> None:
    assert Point._fields == Reference._fields
    assert Point._field_defaults == Reference._field_defaults
    assert Point.__new__.__defaults__ == Reference.__new__.__defaults__
    assert Point._make([1, 2, "c"]) == Reference._make([1, 2, "c"])
    assert Point.__slots__ == ()
    assert Point.__qualname__ == "Point" and Point.__module__ == __name__
    assert Point.__doc__ == "A point, documented."
    assert Pair.__doc__ == "Pair(first, second)"
    assert Point.__annotations__ == {"x": "int", "y": "int", "label": "str"}
    if sys.version_info >= (3, 10):
        assert Point.__match_args__ == ("x", "y", "label")


def test_errors_match_collections() -> None:
    for build in (lambda: Point(), lambda: Point(1, 2, "a", 4), lambda: Point(1, z=2)):
        with pytest.raises(TypeError):
            build()
    with pytest.raises(TypeError, match="Expected 3 arguments, got 2"):
        Point._make([1, 2])
    with pytest.raises(ValueError, match="unexpected field names"):
        Point(1)._replace(z=1)
    with pytest.raises(AttributeError):
        Point(1).x = 2  # type: ignore[misc]


def test_methods_properties_and_super_of_the_body() -> None:
    point = Point(-2, 3)
    assert point.norm == 5
    assert point.moved(1) == Point(-1, 3)
    assert str(point) == "<Point(x=-2, y=3, label='origin')>"


def test_pickle_and_copy() -> None:
    point = Point(1, 2, "p")
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        loaded = pickle.loads(pickle.dumps(point, protocol))
        assert loaded == point and type(loaded) is Point
    assert copy.copy(point) == point and copy.deepcopy(point) == point


def test_a_field_without_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError):
        class Wrong(NamedTuple):
            a: int = 0
            b: int
