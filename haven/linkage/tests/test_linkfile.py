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


def test_a_file_that_is_not_utf8_is_reported_with_its_line(tmp_path):
    path = tmp_path / "records.csv"
    path.write_bytes(
        (HEADER + GOOD).encode("utf-8") + "C2,Hélène,,An,F,2015-03-04,0,,,,,\n".encode("latin-1")
    )
    with pytest.raises(LinkFileError, match=r"not UTF-8 text \(line 3\)"):
        read(path)


def test_control_characters_and_unclear_estimates_make_a_row_malformed(tmp_path):
    path = write(
        tmp_path,
        GOOD,
        "C2,Trần,Thị,Ho\x00a,F,2015-03-04,0,,00004,01,,\n",
        "C3,Lê,,Minh\x07,M,2016-01-01,0,,00004,01,,\n",
        "C4,Phạm,,Lan,F,2016-01-01,yes,,00004,01,,\n",
        "C5,Phạm,,Lan,F,2016-01-01,2,,00004,01,,\n",
    )
    with pytest.raises(LinkFileError, match="line 3"):
        read(path)
    result = read(path, skip_malformed=True)
    assert list(result.frame["id"]) == ["C1"]
    assert [p.line for p in result.malformed] == [3, 4, 5, 6]
    assert "control character in given_name" in result.malformed[0].message
    assert "dob_estimated 'yes'" in result.malformed[2].message


def test_pins_with_spaces_dates_and_places_are_checked(tmp_path):
    path = write(
        tmp_path,
        "C1,Nguyễn,Văn,An,M,2015-03-04,0,001 215 123 456,00004,01,,\n",
        "C2,Nguyễn,Văn,Bình,M,2015-03-04,0,001215123456,00004,01,,\n",  # the same PIN as C1
        "C3,Lê,,Minh,M,2015-W10-1,0,,00004,01,,\n",  # an ISO week date
        "C4,Lê,,Minh,M,2016-01-01,0,,00004,99,,\n",  # no province 99
        "C5,Lê,,Minh,M,2016-01-01,0,,00004,79,,\n",  # a Hà Nội commune in Hồ Chí Minh City
        "C6,Lê,,Minh,M,2016-01-01,0,,00001,01,,\n",  # a pre-2025 Hà Nội commune
    )
    result = read(path, today=dt.date(2026, 6, 1))
    frame = result.frame.set_index("id")
    messages = {p.line: p.message for p in result.invalid}
    assert frame.loc["C1", "pin"] == "001215123456"
    assert "also given to 'C1' (line 2)" in messages[3]
    assert "impossible date" in messages[4] and frame.loc["C3", "date_of_birth"] == ""
    assert "unknown province '99'" in messages[5] and frame.loc["C4", "province_code"] == ""
    assert "not in province '79'" in messages[6]
    assert frame.loc["C5", "province_code"] == "" and frame.loc["C5", "commune_code"] == ""
    assert 7 not in messages and frame.loc["C6", "commune_code"] == "00001"
