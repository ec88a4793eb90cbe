"""Files as people send them: codes that lost their leading zeros, names instead of codes, dates day
first, Vietnamese column names, CSV saved by Excel and XLSX workbooks, and a summary of what was
read, repaired and refused."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from haven.linkage.linkfile import LinkFileError, read

TODAY = dt.date(2026, 6, 1)
HEADER = (
    "id,family_name,middle_name,given_name,sex,date_of_birth,dob_estimated,pin,commune_code,province_code,"
    "mother_name,father_name\n"
)


def write(tmp_path, *lines: str, header: str = HEADER, name: str = "records.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes((header + "".join(lines)).encode(encoding))
    return path


def by_id(result):
    return result.frame.set_index("id")


def kinds(problems, line: int) -> set[str]:
    return {p.kind for p in problems if p.line == line}


def test_codes_kept_as_numbers_by_a_spreadsheet_get_their_leading_zeros_back(tmp_path):
    path = write(
        tmp_path,
        "C1,Nguyễn,,An,M,2015-03-04,0,,1075,8,,\n",  # Xã Nậm Dịch, Tuyên Quang
        "C2,Lê,,Minh,M,2015-03-04,0,,4,1,,\n",  # Phường Ba Đình, Hà Nội
        "C3,Trần,,Lan,F,2015-03-04,0,,01 075,08,,\n",  # typed with a space
        "C4,Phạm,,Hoa,F,2015-03-04,0,,1075.0,8.0,,\n",  # a number with its decimals
    )
    result = read(path, today=TODAY)
    frame = by_id(result)
    assert frame.loc["C1", ["commune_code", "province_code"]].tolist() == ["01075", "08"]
    assert frame.loc["C2", ["commune_code", "province_code"]].tolist() == ["00004", "01"]
    assert frame.loc["C3", "commune_code"] == "01075" and "spaces" in kinds(result.repaired, 4)
    assert frame.loc["C4", ["commune_code", "province_code"]].tolist() == ["01075", "08"]
    assert kinds(result.repaired, 2) == {"zeros"} and result.invalid == []


def test_a_code_that_is_still_unknown_with_its_zeros_is_refused(tmp_path):
    path = write(tmp_path, "C1,Nguyễn,,An,M,2015-03-04,0,,99999,1,,\n", "C2,Lê,,An,M,2015-03-04,0,,,3,,\n")
    result = read(path, today=TODAY)
    assert by_id(result).loc["C1", "commune_code"] == "" and "unknown_place" in kinds(result.invalid, 2)
    assert by_id(result).loc["C2", "province_code"] == "" and "unknown_place" in kinds(result.invalid, 3)


def test_a_place_written_by_name_is_read_when_it_means_one_place(tmp_path):
    path = write(
        tmp_path,
        "C1,Nguyễn,,An,M,2015-03-04,0,,Phường Ba Đình,Hà Nội,,\n",
        "C2,Lê,,Minh,M,2015-03-04,0,,P. Ba Đình,TP. Hà Nội,,\n",
        "C3,Trần,,Lan,F,2015-03-04,0,,Xa Nam Dich,Tuyen Quang,,\n",  # without diacritics
        "C4,Phạm,,Hoa,F,2015-03-04,0,,Phường Phúc Xá,Hà Nội,,\n",  # a pre-2025 ward
        "C5,Vũ,,Nam,M,2015-03-04,0,,,Hồ Chí Minh,,\n",
    )
    result = read(path, today=TODAY)
    frame = by_id(result)
    assert frame.loc["C1", ["commune_code", "province_code"]].tolist() == ["00004", "01"]
    assert frame.loc["C2", ["commune_code", "province_code"]].tolist() == ["00004", "01"]
    assert frame.loc["C3", ["commune_code", "province_code"]].tolist() == ["01075", "08"]
    assert frame.loc["C4", "commune_code"] == "00001"
    assert frame.loc["C5", "province_code"] == "79"
    assert result.invalid == [] and kinds(result.repaired, 2) == {"name"}


def test_an_ambiguous_name_is_refused_with_the_places_it_could_mean(tmp_path):
    path = write(
        tmp_path,
        # Hà Nội has a Phường Ba Đình since 2025, and Thanh Hóa had two before: no province, no reading.
        "C1,Nguyễn,,An,M,2015-03-04,0,,Phường Ba Đình,,,\n",
        # Hồ Chí Minh City had a Phường 1 in many districts.
        "C2,Lê,,Minh,M,2015-03-04,0,,Phường 1,79,,\n",
    )
    result = read(path, today=TODAY)
    frame = by_id(result)
    assert frame.loc["C1", "commune_code"] == "" and frame.loc["C2", "commune_code"] == ""
    refused = {p.line: p.message for p in result.invalid if p.kind == "ambiguous_place"}
    assert "00004 Phường Ba Đình (Thành phố Hà Nội)" in refused[2]
    assert "14776 Phường Ba Đình (Tỉnh Thanh Hóa)" in refused[2]
    assert "Phường 1 (Thành phố Hồ Chí Minh)" in refused[3]
    # The province stays: only the commune was in doubt.
    assert frame.loc["C2", "province_code"] == "79"


def test_dates_are_read_day_first_and_a_year_alone_is_an_estimate(tmp_path):
    path = write(
        tmp_path,
        "C1,Nguyễn,,An,M,04/03/2015,0,,,,,\n",
        "C2,Lê,,Minh,M,4-3-2015,0,,,,,\n",
        "C3,Trần,,Lan,F,2015,,,,,,\n",  # a found child: the day and month are not known
        "C4,Phạm,,Hoa,F,00/00/2014,0,,,,,\n",
        "C5,Vũ,,Nam,M,31/02/2015,0,,,,,\n",  # no such day
        "C6,Đỗ,,Mai,F,03/04/2031,0,,,,,\n",  # after today
    )
    result = read(path, today=TODAY)
    frame = by_id(result)
    assert (
        frame.loc["C1", "date_of_birth"] == "2015-03-04" and frame.loc["C2", "date_of_birth"] == "2015-03-04"
    )
    assert kinds(result.repaired, 2) == {"day_first"}
    assert frame.loc["C3", ["date_of_birth", "dob_estimated"]].tolist() == ["2015", "1"]
    assert frame.loc["C4", ["date_of_birth", "dob_estimated"]].tolist() == ["2014", "1"]
    assert kinds(result.repaired, 4) == {"year_only"}
    assert frame.loc["C5", "date_of_birth"] == "" and kinds(result.invalid, 6) == {"date"}
    assert frame.loc["C6", "date_of_birth"] == "" and kinds(result.invalid, 7) == {"date"}


def test_csv_saved_by_excel_with_a_bom_semicolons_and_crlf(tmp_path):
    header = HEADER.replace(",", ";").replace("\n", "\r\n")
    path = tmp_path / "excel.csv"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + (
            header
            + "C1;Nguyễn;Văn;An;M;04/03/2015;0;;4;1;Lê Thị Hoa;\r\n"
            + "C2;Lê;;Minh;F;2016-01-01;;1,21512E+11;;;;\r\n"
        ).encode()
    )
    result = read(path, today=TODAY)
    frame = by_id(result)
    assert list(frame.index) == ["C1", "C2"]
    assert frame.loc["C1", ["given_name", "date_of_birth", "commune_code", "mother_name"]].tolist() == [
        "An",
        "2015-03-04",
        "00004",
        "Lê Thị Hoa",
    ]
    # A PIN that Excel wrote as a rounded number has lost its last digits: refused, never padded.
    assert frame.loc["C2", "pin"] == "" and "rounded number" in result.invalid[0].message


def test_vietnamese_column_names_a_full_name_column_and_sex_in_words(tmp_path):
    path = write(
        tmp_path,
        "1,Nguyễn Văn An,Nam,04/03/2015,Phường Ba Đình,Hà Nội,Lê Thị Hoa\n",
        "2,Trần Thị Minh Anh,Nữ,2016,,,\n",
        header="STT,Họ và tên,Giới tính,Ngày sinh,Xã/Phường,Tỉnh/Thành phố,Họ tên mẹ\n",
    )
    result = read(path, today=TODAY)
    frame = by_id(result)
    assert frame.loc["1", ["family_name", "middle_name", "given_name", "sex"]].tolist() == [
        "Nguyễn",
        "Văn",
        "An",
        "M",
    ]
    assert frame.loc["2", ["family_name", "middle_name", "given_name", "sex"]].tolist() == [
        "Trần",
        "Thị Minh",
        "Anh",
        "F",
    ]
    assert frame.loc["1", ["commune_code", "province_code", "mother_name"]].tolist() == [
        "00004",
        "01",
        "Lê Thị Hoa",
    ]
    summary = "\n".join(result.summary())
    assert "STT" in summary and "full names are split" in summary and "father_name" in summary


def test_a_file_without_the_names_or_the_date_is_refused_with_the_columns_it_lacks(tmp_path):
    path = write(tmp_path, "1,Nam\n", header="Mã hồ sơ,Giới tính\n")
    with pytest.raises(LinkFileError, match="family_name, given_name, date_of_birth"):
        read(path, today=TODAY)


def test_an_xlsx_workbook_is_read_directly(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Mã hồ sơ", "Họ", "Tên đệm", "Tên", "Giới tính", "Ngày sinh", "Số định danh", "Mã xã", "Mã tỉnh"]
    )
    # Numbers as a spreadsheet keeps them: no leading zeros; a date cell; a PIN stored as a number.
    sheet.append([101, "Nguyễn", "Văn", "An", "Nam", dt.datetime(2015, 3, 4), 1215123456, 4, 1])
    sheet.append([102, "Lê", None, "Minh", "Nữ", "2016", None, 1075, 8])
    sheet.append([None, None, None, None, None, None, None, None, None])  # an empty row is no record
    sheet.append([103, "Trần", None, "Lan", "Nữ", "05/06/2017", 79317123456, None, None])
    path = tmp_path / "records.xlsx"
    book.save(path)
    result = read(path, today=TODAY)
    frame = by_id(result)
    assert list(frame.index) == ["101", "102", "103"]
    assert frame.loc["101", ["date_of_birth", "pin", "commune_code", "province_code", "sex"]].tolist() == [
        "2015-03-04",
        "001215123456",
        "00004",
        "01",
        "M",
    ]
    assert frame.loc["102", ["date_of_birth", "dob_estimated", "commune_code"]].tolist() == [
        "2016",
        "1",
        "01075",
    ]
    assert frame.loc["103", ["pin", "date_of_birth"]].tolist() == ["079317123456", "2017-06-05"]
    assert kinds(result.repaired, 5) == {"zeros", "day_first", "sex_word"} and result.invalid == []
    assert result.rows == 3


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(tmp_path):
    path = write(tmp_path, "C1,Nguyễn,,An,M,2015-03-04,0,,,,,\n", name="records.xlsx")
    with pytest.raises(LinkFileError, match="cannot be opened as an Excel workbook"):
        read(path, today=TODAY)


def test_the_summary_counts_what_was_repaired_and_refused_with_its_first_lines(tmp_path):
    path = write(
        tmp_path,
        "C1,Nguyễn,,An,M,04/03/2015,0,,1075,8,,\n",
        "C2,Lê,,Minh,M,2015-03-04,0,,Phường Ba Đình,,,\n",
        "C3,Trần,,Lan,X,2015-03-04,0,,,,,\n",
        "C4,broken\n",
    )
    result = read(path, today=TODAY, skip_malformed=True)
    summary = result.summary()
    assert summary[0] == "4 rows read, 3 records kept, 1 malformed rows"
    lines = "\n".join(summary)
    assert "repaired: codes written without their leading zeros: 2 (lines 2, 2)" in lines
    assert "repaired: dates written day first (dd/mm/yyyy): 1 (lines 2)" in lines
    assert "refused (left out): ambiguous province or commune names: 1 (lines 3)" in lines
    assert "refused (left out): sexes that are not M, F or U: 1 (lines 4)" in lines
