"""Where the signatures come from: a tile cartogram of Morocco's 12 regions, drawn on the server as
SVG by templates/_region_map.html, beside the table of the same counts.

One square per region, placed roughly where the region lies (north at the top, west at the left; a
map is not mirrored for right-to-left pages). No licensed boundary set fit quickly enough (see
participation/data/LEGAL.md), and equal tiles also keep small regions as visible as large ones.
Counts come already protected by the small-number rule (core.small_numbers.protect): a MASKED
region is hatched and labelled "< N"; every tile carries its number, so colour is not the only cue.
"""

from dataclasses import dataclass

from participation.core.small_numbers import MASKED

# Region code (participation/data/regions.json) -> (column, row) of its tile.
TILE_POSITIONS = {
    "01": (1, 0),  # Tanger-Tétouan-Al Hoceïma
    "04": (0, 1),  # Rabat-Salé-Kénitra
    "03": (1, 1),  # Fès-Meknès
    "02": (2, 1),  # L'Oriental
    "06": (0, 2),  # Casablanca-Settat
    "05": (1, 2),  # Béni Mellal-Khénifra
    "07": (0, 3),  # Marrakech-Safi
    "08": (1, 3),  # Drâa-Tafilalet
    "09": (0, 4),  # Souss-Massa
    "10": (0, 5),  # Guelmim-Oued Noun
    "11": (0, 6),  # Laâyoune-Sakia El Hamra
    "12": (0, 7),  # Dakhla-Oued Ed-Dahab
}
# Three columns (the south runs down the first), so that the names stay readable at 360 px.
TILE_WIDTH, TILE_HEIGHT, GAP = 116, 78, 4
SHADES = 4  # levels 1..SHADES for counts above zero; 0 for none


@dataclass(frozen=True)
class Tile:
    code: str
    name_lines: tuple
    name: str
    value: object  # an int, MASKED or 0
    level: int  # 0 (none), 1..SHADES (darker is more); -1 for MASKED
    x: int
    y: int

    @property
    def masked(self):
        return self.value is MASKED


@dataclass(frozen=True)
class TileMap:
    tiles: list
    width: int
    height: int
    tile_width: int = TILE_WIDTH
    tile_height: int = TILE_HEIGHT


def region_tiles(counts, regions):
    """The cartogram of `counts` ({region id: count or MASKED}, or its items; other keys, such as
    0 for abroad, are not drawn) over `regions` (objects with id, code and display_name()): every
    region has its tile, 0 when it has no count."""
    counts = dict(counts)
    return _tile_map(
        [(r.code, r.display_name(), counts.get(r.id, 0) or 0) for r in regions],
    )


def region_tiles_of(rows, value_key, *, code_key="region_code", name_key="region"):
    """The cartogram of a statistics table's rows (dicts with the region's code, name and the
    value under `value_key`): only the regions of the rows have a tile (a filtered table shows
    its region alone); rows without a region code (abroad) are not drawn."""
    return _tile_map(
        [
            (row[code_key], row[name_key], row.get(value_key) or 0)
            for row in rows
            if row.get(code_key)
        ]
    )


def _tile_map(entries):
    """`entries`: (region code, name, count or MASKED)."""
    largest = max((v for _, _, v in entries if v is not MASKED and v), default=0)
    tiles = []
    for code, name, value in entries:
        if code not in TILE_POSITIONS:
            continue
        column, row = TILE_POSITIONS[code]
        tiles.append(
            Tile(
                code=code,
                name_lines=_lines(name),
                name=name,
                value=value,
                level=_level(value, largest),
                x=column * (TILE_WIDTH + GAP),
                y=row * (TILE_HEIGHT + GAP),
            )
        )
    columns = 1 + max(c for c, _ in TILE_POSITIONS.values())
    rows = 1 + max(r for _, r in TILE_POSITIONS.values())
    return TileMap(
        tiles=sorted(tiles, key=lambda t: t.code),
        width=columns * (TILE_WIDTH + GAP) - GAP,
        height=rows * (TILE_HEIGHT + GAP) - GAP,
    )


def _level(value, largest):
    if value is MASKED:
        return -1
    if not value or not largest:
        return 0
    return max(1, -(-value * SHADES // largest))  # ceiling: the largest is the darkest


def _lines(name, width=15, most=3):
    """A region's name on at most `most` short lines: its hyphenated parts, long ones by words."""
    lines = []
    for part in (p.strip() for p in name.replace("–", "-").split("-")):
        line = ""
        for word in part.split():
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        if line:
            lines.append(line)
    return (
        tuple(lines[: most - 1] + [" ".join(lines[most - 1 :])])
        if len(lines) > most
        else tuple(lines)
    )
