"""The pages and the API of school for every child, as each persona sees them. Refused first: a school
reads no child's record and no protection case; an officer of commune B reads nothing of commune A's
roster; bad input is a message, with nothing saved."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from haven.api.tests.client import ApiClient
from haven.core import clock
from haven.education import services
from haven.education.models import Attendance, Enrolment, State
from haven.education.services.attendance import Line
from haven.education.tests.conftest import first_day, foundling, in_facility, year
from haven.protection.models import ProtectionCase


def pupil(world, school):
    return services.enrolment_record(
        actor=world.officer_a,
        child=foundling(world),
        school=school,
        school_year=year(),
        level="primary",
        grade=1,
        started_on=first_day(),
    )


def test_a_school_reads_its_pupil_but_not_the_childs_record(world, school, term, client):
    e = pupil(world, school)
    client.force_login(world.school_a)
    assert client.get(f"/children/{e.child_id}/").status_code == 404
    page = client.get(f"/education/children/{e.child_id}/")
    assert page.status_code == 200 and "Bình An" in page.content.decode()
    assert client.get(f"/education/schools/{school.pk}/").status_code == 200


def test_the_school_is_told_whom_to_contact_never_the_case(world, school, term, client):
    e = pupil(world, school)
    days = [clock.today() - dt.timedelta(days=k) for k in range(5)]
    services.attendance_record(
        actor=world.school_a,
        school=school,
        lines=[Line(i, str(e.pk), d, "unexcused") for i, d in enumerate(days)],
    )
    case = ProtectionCase.objects.get(child=e.child)
    client.force_login(world.school_a)
    page = client.get(f"/education/children/{e.child_id}/").content.decode()
    assert 'id="contact"' in page and str(world.orgs["committee_a"]) in page
    assert str(case.pk) not in page
    assert client.get(f"/protection/{case.pk}/").status_code == 404
    # The commune officer is the one to contact, and reads the case itself: no flag telling him to.
    client.force_login(world.officer_a)
    page = client.get(f"/education/children/{e.child_id}/").content.decode()
    assert 'id="contact"' not in page and 'id="absences"' in page


def test_a_facility_lists_the_children_it_cares_for_whatever_their_commune(world, school, term, client):
    # A child of commune A in the facility of commune B: the facility reads no commune's roster (not even
    # its own commune's), only the children it cares for, this one among them.
    child = foundling(world)
    in_facility(world, child)
    client.force_login(world.facility_director)
    page = client.get("/education/").content.decode()
    assert 'id="roster"' not in page
    assert 'id="cared"' in page and f"/education/children/{child.pk}/" in page


def test_a_mark_for_tomorrow_is_refused_by_the_pupils_name_and_nothing_is_saved(world, school, term, client):
    e = pupil(world, school)
    client.force_login(world.school_a)
    tomorrow = (clock.today() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    url = f"/education/schools/{school.pk}/?day={tomorrow}"
    page = client.post(url, {"day": tomorrow, f"mark-{e.pk}": "unexcused"})
    text = page.content.decode()
    assert page.status_code == 200 and 'class="alert alert-error"' in text
    assert "Bình An" in text and "Line 1" not in text and "Dòng 1" not in text
    assert "tương lai" in text  # "Attendance cannot be marked for a day in the future."
    assert '<option value="unexcused" selected>' in text  # the mark chosen stays, to correct
    assert not Attendance.objects.exists()
    # Nothing chosen: said so, nothing saved.
    page = client.post(url, {"day": tomorrow})
    assert "Hãy chọn điểm danh cho ít nhất một học sinh." in page.content.decode()
    assert not Attendance.objects.exists()


def test_the_enrolment_page_sends_the_commune_to_the_childs_record_for_papers(world, school, term, client):
    e = pupil(world, school)
    link = f'href="/children/{e.child_id}/"'
    client.force_login(world.officer_a)
    page = client.get(f"/education/enrolments/{e.pk}/").content.decode()
    assert 'data-obligation="education.papers"' in page and link in page
    # The school reads the step (the child has no PIN) but may not open the child's record.
    client.force_login(world.school_a)
    page = client.get(f"/education/enrolments/{e.pk}/").content.decode()
    assert 'data-obligation="education.papers"' in page and link not in page


def test_the_roster_of_a_commune_is_for_its_officer_only(world, school, term, client):
    foundling(world, age=8)
    client.force_login(world.officer_b)
    assert client.get(f"/education/communes/{world.commune_a.code}/").status_code == 404
    client.force_login(world.officer_a)
    page = client.get(f"/education/communes/{world.commune_a.code}/")
    assert page.status_code == 200 and "Bình An" in page.content.decode()


def test_an_upload_with_bad_lines_names_them_and_saves_nothing(world, school, term, client):
    e = pupil(world, school)
    yesterday = (clock.today() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    tomorrow = (clock.today() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    data = f"Mã ghi danh,Ngày,Điểm danh\n{e.pk},{yesterday},C\n{e.pk},{tomorrow},C\n".encode()
    client.force_login(world.school_a)
    page = client.post(
        f"/education/schools/{school.pk}/upload/", {"file": SimpleUploadedFile("diem-danh.csv", data)}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "3" in text and 'id="problems"' in text
    assert not Attendance.objects.exists()


def test_the_api_enrols_without_papers_and_refuses_a_second_enrolment(world, school, term):
    child = foundling(world)
    api = ApiClient(world.officer_a)
    body = {
        "school_id": school.pk,
        "school_year": year(),
        "level": "primary",
        "grade": 1,
        "started_on": str(first_day()),
    }
    made = api.post(f"/education/children/{child.pk}/enrolments", body)
    assert made.status_code == 201 and made.json()["without_pin"] is True
    again = api.post(f"/education/children/{child.pk}/enrolments", body)
    assert again.status_code == 422 and "school_year" in again.json()["fields"]
    no_grade = api.post(f"/education/children/{foundling(world).pk}/requests", {**body, "grade": 7})
    assert no_grade.status_code == 422
    assert Enrolment.objects.count() == 1


def test_the_api_refuses_attendance_for_a_future_day_by_line(world, school, term):
    e = pupil(world, school)
    api = ApiClient(world.school_a)
    marks = [
        {"enrolment_id": str(e.pk), "day": str(clock.today()), "mark": "present"},
        {"enrolment_id": str(e.pk), "day": str(clock.today() + dt.timedelta(days=2)), "mark": "present"},
    ]
    refused = api.post(f"/education/schools/{school.pk}/attendance", {"marks": marks})
    (problem,) = refused.json()["fields"]["lines"]
    assert refused.status_code == 422 and " 2:" in problem  # "Dòng 2: …", the second mark
    assert not Attendance.objects.exists()
    saved = api.post(f"/education/schools/{school.pk}/attendance", {"marks": marks[:1]})
    assert saved.status_code == 200 and saved.json()["saved"] == 1


def test_the_api_admits_a_request_for_the_school_only(world, school, term):
    request = services.enrolment_request(
        actor=world.officer_a,
        child=foundling(world),
        school=school,
        school_year=year(),
        level="primary",
        grade=1,
    )
    assert (
        ApiClient(world.officer_b)
        .post(f"/education/enrolments/{request.pk}/admit", {"started_on": str(first_day())})
        .status_code
        == 404
    )
    done = ApiClient(world.school_a).post(
        f"/education/enrolments/{request.pk}/admit", {"started_on": str(first_day())}
    )
    assert done.status_code == 200 and done.json()["state"] == State.ENROLLED


def test_the_province_sees_its_five_dimensions_with_the_pupils_at_risk(world, school, term, client):
    from haven.education.tests.test_attendance import days_back, mark

    foundling(world, age=7)  # never at school: dimension 2
    older = foundling(world, age=8)  # in grade 1, two years over age (lawfully), absent 3 days
    at_risk = services.enrolment_record(
        actor=world.officer_a,
        child=older,
        school=school,
        school_year=year(),
        level="primary",
        grade=1,
        started_on=first_day(),
        age_basis="orphan",
    )
    mark(world, school, at_risk, days_back(3))
    client.force_login(world.provincial)
    page = client.get("/education/").content.decode()
    assert 'data-dimension="dim2">1<' in page
    assert 'data-dimension="dim4">1<' in page  # over age 2 (2 points) + 3 absences (3 points) ≥ 4
    assert 'data-dimension="dim1">0<' in page
