"""Bar charts as server-rendered SVG: this module computes the geometry, the
template admin/dashboard/chart.html draws it (colours from the admin's CSS
variables, so light and dark themes both read; no JavaScript, no CDN).

Coordinates are in the SVG's viewBox units; the SVG scales to its card."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 640
HEIGHT = 240
LEFT = 64  # room for the value axis' labels ("40.000" on a phone)
RIGHT = 28  # half a label: the last one is centred on the last bar
TOP = 12
BOTTOM = 28  # room for the category labels
INTERVALS = 4  # value axis: 0 and four steps above it
NICE = (1, 2, 5, 10)


# Coordinates are strings, written in Python: a template would localize a
# float (12,5 in pt-BR), which SVG cannot read.


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    label: str
    value: Decimal | int
    # The second series' value at this category (drawn as a line), if any.
    other: Decimal | int | None = None


@dataclass(frozen=True)
class Tick:
    y: str
    value: int


@dataclass(frozen=True)
class Label:
    x: str
    text: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[Label]
    line: str  # SVG polyline points of the second series, "" without one
    dots: list[tuple[str, str]]  # the second series' points
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_x: int = WIDTH - RIGHT
    base_y: int = HEIGHT - BOTTOM
    label_y: int = HEIGHT - BOTTOM + 18

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def nice_step(top: Decimal | int) -> int:
    """The smallest step of 1, 2 or 5 times a power of ten that fits `top` in
    INTERVALS steps (at least 1: axes count whole units or whole reais)."""
    needed = Decimal(top) / INTERVALS
    power = 1
    while True:
        for n in NICE:
            if n * power >= needed:
                return n * power
        power *= 10


def bar_chart(
    values: Sequence[Decimal | int],
    labels: Sequence[str],
    *,
    axis_labels: Sequence[str],
    others: Sequence[Decimal | int] | None = None,
) -> Chart:
    """Bars for `values`, one per category named in `labels`; `axis_labels`
    are written under the bars ("" for none); `others`, a second series on
    the same scale, is a line over the bars' centres. A negative value (a day
    whose refunds outweighed its sales) hangs below the zero line."""
    everything = [*values, *(others or []), 0]
    highest, lowest = max(everything), min(everything)
    if lowest < 0:
        step = nice_step(highest - lowest)
        below, above = -math.floor(lowest / step), math.ceil(highest / step)
    else:
        step = nice_step(highest) if highest else 1
        below, above = 0, INTERVALS
    top, bottom = step * above, -step * below
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / len(values)
    gap = slot * 0.2

    def y_of(value: Decimal | int) -> float:
        return TOP + plot_height * (top - float(value)) / (top - bottom)

    def centre(i: int) -> float:
        return LEFT + (i + 0.5) * slot

    bars = [
        Bar(
            x=_n(LEFT + i * slot + gap / 2),
            y=_n(y_of(max(value, 0))),
            width=_n(slot - gap),
            height=_n(abs(y_of(value) - y_of(0))),
            label=labels[i],
            value=value,
            other=others[i] if others is not None else None,
        )
        for i, value in enumerate(values)
    ]
    dots = [(_n(centre(i)), _n(y_of(v))) for i, v in enumerate(others or [])]
    return Chart(
        bars=bars,
        ticks=[Tick(_n(y_of(step * n)), step * n) for n in range(-below, above + 1)],
        labels=[Label(_n(centre(i)), t) for i, t in enumerate(axis_labels) if t],
        line=" ".join(f"{x},{y}" for x, y in dots),
        dots=dots,
    )


def _n(value: float) -> str:
    return f"{value:.1f}"
