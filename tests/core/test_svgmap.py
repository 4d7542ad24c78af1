"""The tile cartogram of the 12 regions (core/svgmap.py, templates/_region_map.html)."""

import json
from pathlib import Path
from types import SimpleNamespace

from participation.core.small_numbers import MASKED
from participation.core.svgmap import TILE_POSITIONS, region_tiles

REGIONS_FILE = Path(__file__).parents[2] / "participation" / "data" / "regions.json"


def regions():
    data = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))["regions"]
    return [
        SimpleNamespace(id=i + 1, code=r["code"], display_name=lambda r=r: r["name_fr"])
        for i, r in enumerate(data)
    ]


def test_every_official_region_has_one_tile_of_its_own():
    codes = {r.code for r in regions()}
    assert set(TILE_POSITIONS) == codes and len(codes) == 12
    assert len(set(TILE_POSITIONS.values())) == 12


def test_tiles_carry_their_value_and_a_shade_by_size(app):
    counts = {1: 400, 2: 100, 3: MASKED, 0: 50}  # 0: abroad, not drawn
    tiles = {t.code: t for t in region_tiles(counts.items(), regions()).tiles}
    assert len(tiles) == 12
    assert (tiles["01"].value, tiles["01"].level) == (400, 4)
    assert (tiles["02"].value, tiles["02"].level) == (100, 1)
    assert tiles["03"].masked and tiles["03"].level == -1
    assert (tiles["04"].value, tiles["04"].level) == (0, 0)
    assert tiles["01"].name_lines == ("Tanger", "Tétouan", "Al Hoceïma")


def test_north_is_up_and_west_is_left():
    tiles = {t.code: t for t in region_tiles({}, regions()).tiles}
    assert tiles["01"].y < tiles["06"].y < tiles["09"].y < tiles["12"].y  # Tanger ... Dakhla
    assert tiles["04"].x < tiles["03"].x < tiles["02"].x  # Rabat, Fès, the Oriental
