"""Rebuild haven/population/data/legacy_communes.csv.gz, the pre-2025 communes and where they went.

The 10,040 communes of the 63-province division (before 1 July 2025) with their district and province,
and the 2025 commune that took over each (for a commune split between several, the one the source marks
as the default). Source: the `vietnamadminunits` package (MIT licence, see
haven/population/data/LEGACY_SOURCE.md), read from its wheel, which is not a Haven dependency:

    pip download --no-deps vietnamadminunits==1.0.4 -d /tmp/vau && unzip /tmp/vau/*.whl -d /tmp/vau/x
    python bench/build_legacy_communes.py /tmp/vau/x/vietnamadminunits/data
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sqlite3
import sys
from pathlib import Path

import vietnam_provinces

from haven.lib.vietnamese import fold

OUT = Path(__file__).resolve().parent.parent / "haven" / "population" / "data" / "legacy_communes.csv.gz"


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(name))


def main(data_dir: str) -> None:
    data = Path(data_dir)
    db = sqlite3.connect(data / "dataset.db")
    conv = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    # The two packages number a few 2025 communes differently: Haven's codes are vietnam-provinces',
    # so a 2025 commune is found by its province and its name.
    haven_codes = {
        (f"{p['code']:02d}", _key(w["name"])): f"{w['code']:05d}"
        for p in json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
        for w in p["wards"]
    }
    new_code = {
        (p_key, w_key): haven_codes[(p_code, _key(name))]
        for p_key, w_key, p_code, name in db.execute(
            "select provinceKey, wardKey, provinceCode, ward from admin_units"
        )
    }
    new_province_of = {old: new for new, olds in conv["DICT_PROVINCE"].items() for old in olds}
    undivided = {
        old: (new_p, new_w)
        for new_p, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items()
        for new_w, olds in wards.items()
        for old in olds
    }
    divided = {
        old: (new_p, next(w["newWardKey"] for w in news if w["isDefaultNewWard"]))
        for new_p, wards in conv["DICT_PROVINCE_WARD_DIVIDED"].items()
        for old, news in wards.items()
    }
    rows = db.execute(
        "select provinceCode, province, districtCode, district, wardCode, ward, provinceKey, districtKey,"
        " wardKey from admin_units_legacy where wardCode is not null and wardCode != '' order by wardCode"
    ).fetchall()
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(
        ["old_commune_code", "old_commune_name", "old_district_code", "old_district_name",
         "old_province_code", "old_province_name", "commune_code"]
    )  # fmt: skip
    missing = 0
    for p_code, p_name, d_code, d_name, w_code, w_name, p_key, d_key, w_key in rows:
        key = f"{p_key}_{d_key}_{w_key}"
        target = undivided.get(key) or divided.get(key)
        code = new_code.get(target, "") if target else ""
        if not code:
            missing += 1
            assert new_province_of.get(p_key), key
        out.writerow([w_code, w_name, d_code, d_name, p_code, p_name, code])
    OUT.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8"), mtime=0))
    print(f"{len(rows)} legacy communes, {missing} without a 2025 commune -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
