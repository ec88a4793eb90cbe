"""Link files: malformed rows with line numbers, invalid values reported and never guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from haven.linkage.linkfile import LinkFileError, read

HEADER = (
    "id,family_name,middle_name,given_name,sex,date_of_birth,dob_estimated,pin,commune_code,province_code,"
    "mother_name,father_name\n"
)
GOOD = "C1,Nguyễn,Văn,An,M,2015-03-04,0,001215123456,00004,01,Lê Thị Hoa,Nguyễn Văn Bình\n"


def write(tmp_path, *lines: str, header: str = HEADER):
    path = tmp_path / "records.csv"
    path.write_text(header + "".join(lines), encoding="utf-8")
    return path


def test_a_malformed_row_stops_the_run_with_its_line_number(tmp_path):
    path = write(tmp_path, GOOD, "C2,Trần,Thị\n")
    with pytest.raises(LinkFileError) as refused:
        read(path)
    assert "line 3" in str(refused.value)
    result = read(path, skip_malformed=True)
    assert list(result.frame["id"]) == ["C1"]
    assert [p.line for p in result.malformed] == [3]


def test_missing_columns_are_named(tmp_path):
    path = write(tmp_path, "C1,An\n", header="id,given_name\n")
    with pytest.raises(LinkFileError, match="family_name"):
        read(path)


def test_invalid_values_are_reported_and_left_out(tmp_path):
    path = write(
        tmp_path,
        GOOD,
        "C2,Trần,Thị,Hoa,F,2019-02-30,0,123,00004,01,,\n",
        "C3,Lê,,Minh,M,2016-01-01,0,,99999,01,,\n",
        "C4,Phạm,,Lan,F,2030-01-01,0,,00004,01,,\n",
        "C5,Đỗ,,Nam,M,2016-01-01,0,001316123456,00004,01,,\n",
    )
    result = read(path, today=dt.date(2026, 6, 1))
    frame = result.frame.set_index("id")
    messages: dict[int, str] = {}
    for problem in result.invalid:
        messages[problem.line] = messages.get(problem.line, "") + problem.message + ";"
    assert "impossible date" in messages[3] and "invalid PIN '123'" in messages[3]
    assert frame.loc["C2", "date_of_birth"] == "" and frame.loc["C2", "pin"] == ""
    assert "unknown commune" in messages[4] and frame.loc["C3", "commune_code"] == ""
    assert "impossible date" in messages[5]  # in the future
    # A well-formed PIN that disagrees with sex is kept, reported as suspect.
    assert frame.loc["C5", "pin"] == "001316123456"
    assert any(p.line == 6 and "sex" in p.message for p in result.invalid)
    assert frame.loc["C1", "pin"] == "001215123456"
    assert not [p for p in result.invalid if p.line == 2]


def test_pre_2025_commune_codes_are_known(tmp_path):
    path = write(tmp_path, "C1,Nguyễn,,An,M,2015-03-04,0,,00001,01,,\n")
    assert read(path).invalid == []
