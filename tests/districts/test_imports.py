"""CSV import of schools and people: the preview lists every problem by row and column; all or nothing."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from districts.importers import PeopleImporter, SchoolImporter, parse_level, parse_role, parse_whole_number
from districts.imports import import_confirm, import_discard, import_preview
from districts.models import ImportBatch, Invitation, Membership, School, SchoolLevel
from districts.roles import Role
from tests.factories import DepartmentFactory, InvitationFactory, RoleLabelFactory, SchoolFactory, UserFactory

from .helpers import count, fresh


def _preview(district, actor, importer_class, text: str | bytes, filename: str = "file.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_preview(
        district=district, actor=actor, importer=importer_class(district=district), filename=filename, data=data
    )


def _problems(plan) -> list[tuple[int, str]]:
    return [(p.row, p.column) for p in plan.problems]


def _import(district, actor, importer_class, text, in_district):
    with in_district(district):
        batch, plan = _preview(district, actor, importer_class, text)
        assert plan.ok, plan.problems
        return import_confirm(district=district, actor=actor, importer=importer_class(district=district), batch=batch)


# --- Parsing cells ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Elementary", SchoolLevel.ELEMENTARY),
        ("elementary school", SchoolLevel.ELEMENTARY),
        ("K-8", SchoolLevel.K8),
        ("k8", SchoolLevel.K8),
        ("K–8", SchoolLevel.K8),
        ("K-8 School", SchoolLevel.K8),
        ("High School", SchoolLevel.HIGH),
        ("HIGH", SchoolLevel.HIGH),
        ("Middle School", SchoolLevel.MIDDLE),
        ("Early learning", SchoolLevel.EARLY),
        ("Pre-K", SchoolLevel.EARLY),
        ("alternative", SchoolLevel.ALTERNATIVE),
        ("College", None),
        ("", None),
        ("school", None),
    ],
)
def test_parse_level(text, level):
    assert parse_level(text) == level


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("812", 812),
        ("0", 0),
        ("1,234", 1234),
        ("812.0", 812),
        ("-3", None),
        ("12.5", None),
        ("lots", None),
        ("1,23", None),
    ],
)
def test_parse_whole_number(text, number):
    assert parse_whole_number(text) == number


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Principal", Role.PRINCIPAL),
        ("board member", Role.BOARD_MEMBER),
        ("Board Member", Role.BOARD_MEMBER),
        ("board_member", Role.BOARD_MEMBER),
        ("Cabinet / department lead", Role.CABINET),
        ("department lead", Role.CABINET),
        ("Partner coach", Role.PARTNER_COACH),
        ("staff", Role.STAFF),
        ("teacher", None),
    ],
)
def test_parse_role(text, role):
    assert parse_role(text) == role


# --- Schools -------------------------------------------------------------------------------------

CLEAN_SCHOOLS = """name,code,level,enrollment,region
Adams Elementary,A-1,Elementary,412,North
Birch K-8,B-2,K-8,700,
Cedar High,,High School,"1,520",South
"""


def test_clean_school_file_creates_everything(district, admin_member, in_district):
    batch = _import(district, admin_member, SchoolImporter, CLEAN_SCHOOLS, in_district)
    assert (batch.status, batch.created_count, batch.updated_count) == (ImportBatch.Status.IMPORTED, 3, 0)
    with in_district(district):
        schools = {s.name: s for s in School.objects.all()}
    assert schools["Birch K-8"].level == SchoolLevel.K8
    assert schools["Cedar High"].enrollment == 1520
    assert schools["Cedar High"].code == ""
    assert schools["Adams Elementary"].history.first().history_user == admin_member.user


def test_existing_schools_match_by_code_then_by_name(district, admin_member, in_district):
    by_code = SchoolFactory(district=district, name="Old Adams Name", code="A-1", enrollment=1)
    by_name = SchoolFactory(district=district, name="birch k-8", code="", level=SchoolLevel.MIDDLE, enrollment=700)
    same = SchoolFactory(
        district=district, name="Cedar High", code="C-3", level=SchoolLevel.HIGH, enrollment=1520, region="South"
    )
    text = CLEAN_SCHOOLS.replace("Cedar High,,", "Cedar High,C-3,")
    with in_district(district):
        _batch, plan = _preview(district, admin_member, SchoolImporter, text)
    assert [(r.row, r.action) for r in plan.rows] == [(2, "update"), (3, "update"), (4, "unchanged")]
    assert "Old Adams Name" in plan.rows[0].description
    batch = _import(district, admin_member, SchoolImporter, text, in_district)
    assert (batch.created_count, batch.updated_count) == (0, 2)
    assert (fresh(by_code).name, fresh(by_code).enrollment) == ("Adams Elementary", 412)
    assert (fresh(by_name).name, fresh(by_name).code, fresh(by_name).level) == ("Birch K-8", "B-2", SchoolLevel.K8)
    assert fresh(same).history.count() == 1


def test_empty_optional_cells_keep_current_values(district, admin_member, in_district):
    school = SchoolFactory(district=district, name="Adams", code="A-1", enrollment=400, region="North")
    _import(district, admin_member, SchoolImporter, "name,code,level,enrollment,region\nAdams,,middle,,\n", in_district)
    saved = fresh(school)
    assert (saved.code, saved.enrollment, saved.region, saved.level) == ("A-1", 400, "North", SchoolLevel.MIDDLE)


def test_school_file_with_errors_imports_nothing(district, admin_member, in_district):
    SchoolFactory(district=district, name="Taken Name", code="T-1")
    SchoolFactory(district=district, name="Other School", code="O-1")
    text = """name,code,level,enrollment,region
Good School,G-1,high,100,
,X-1,high,100,
Bad Level,X-2,college,100,
Bad Enrollment,X-3,high,-3,
Fractional,X-4,high,12.5,
Same Code A,D-1,high,1,
Same Code B,D-1,high,1,
Twice,X-5,high,1,
twice,X-6,high,1,
Taken Name,O-1,high,1,
"""
    with in_district(district):
        batch, plan = _preview(district, admin_member, SchoolImporter, text)
        assert _problems(plan) == [
            (3, "name"),
            (4, "level"),
            (5, "enrollment"),
            (6, "enrollment"),
            (7, "code"),
            (8, "code"),
            (9, "name"),
            (10, "name"),
            (11, "code"),
        ]
        messages = {(p.row, p.column): p.message for p in plan.problems}
        assert "also in row 8" in messages[(7, "code")]
        assert "also in row 7" in messages[(8, "code")]
        assert "“college” isn't a school level" in messages[(4, "level")]
        assert "already used by Other School" in messages[(11, "code")]
        with pytest.raises(ValidationError, match="Nothing was imported"):
            import_confirm(
                district=district, actor=admin_member, importer=SchoolImporter(district=district), batch=batch
            )
    assert count(School, district=district) == 2
    assert fresh(batch).status == ImportBatch.Status.PREVIEWED


def test_confirm_plans_again_against_the_database(district, admin_member, in_district):
    with in_district(district):
        batch, plan = _preview(district, admin_member, SchoolImporter, "name,code,level\nNew School,N-1,high\n")
        assert plan.ok
    # Added by hand meanwhile: the code now names one school and the name another.
    SchoolFactory(district=district, name="Someone Else", code="N-1")
    SchoolFactory(district=district, name="New School", code="N-2")
    with in_district(district), pytest.raises(ValidationError):
        import_confirm(district=district, actor=admin_member, importer=SchoolImporter(district=district), batch=batch)
    assert count(School, district=district, code="N-1", name="Someone Else") == 1


def test_confirm_twice_does_nothing_the_second_time_and_discard_is_final(district, admin_member, in_district):
    importer = SchoolImporter(district=district)
    with in_district(district):
        batch, _plan = _preview(district, admin_member, SchoolImporter, "name,level\nOnce,high\n")
        import_confirm(district=district, actor=admin_member, importer=importer, batch=batch)
        again = import_confirm(district=district, actor=admin_member, importer=importer, batch=batch)
        assert again.created_count == 1
        other, _plan = _preview(district, admin_member, SchoolImporter, "name,level\nNever,high\n")
        import_discard(district=district, actor=admin_member, importer=importer, batch=other)
        with pytest.raises(ValidationError, match="discarded"):
            import_confirm(district=district, actor=admin_member, importer=importer, batch=other)
    assert count(School, district=district) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("name,level\nCafé Élémentaire,elementary\n".encode("cp1252"), "isn't saved as UTF-8"),
        (b"name;code;level\nAdams;A-1;high\n", "separated by semicolons"),
        (b"name,code\nAdams,A-1\n", "no column named 'level'"),
        (b"", "The file is empty"),
        (b"name,level\n\n\n", "no data rows"),
        (b"name,level,name\nA,high,B\n", "appears more than once"),
    ],
)
def test_unreadable_files_are_refused_at_the_file_field(data, message, district, admin_member, in_district):
    with in_district(district), pytest.raises(ValidationError) as excinfo:
        _preview(district, admin_member, SchoolImporter, data)
    assert message in excinfo.value.message_dict["file"][0]
    assert count(ImportBatch, district=district) == 0


def test_bom_blank_lines_extra_cells_and_unknown_columns(district, admin_member, in_district):
    text = "\ufeffName,Level,Notes\n\nAdams,high,ok\n\nBirch,middle,fine,surprise\n"
    with in_district(district):
        _batch, plan = _preview(district, admin_member, SchoolImporter, text)
    # Spreadsheet row numbers: the header is row 1 and blank lines still count.
    assert _problems(plan) == [(5, "")]
    assert "more cells than the header" in plan.problems[0].message
    assert [r.row for r in plan.rows] == [3, 5]
    assert any("Notes" in note for note in plan.notes)


def test_utf8_names_survive(district, admin_member, in_district):
    _import(district, admin_member, SchoolImporter, "name,level\nCafé Élémentaire,elementary\n", in_district)
    assert count(School, district=district, name="Café Élémentaire") == 1


def test_sample_file_is_a_clean_import(district, admin_member, in_district):
    with in_district(district):
        sample = SchoolImporter(district=district).sample_csv()
        _batch, plan = _preview(district, admin_member, SchoolImporter, sample)
    assert plan.ok and plan.create_count == 1


def test_only_admins_can_import(district, superintendent_member, in_district):
    from django.core.exceptions import PermissionDenied

    with in_district(district), pytest.raises(PermissionDenied):
        _preview(district, superintendent_member, SchoolImporter, CLEAN_SCHOOLS)
    with in_district(district), pytest.raises(PermissionDenied):
        _preview(district, superintendent_member, PeopleImporter, "email,role\na@example.org,staff\n")


# --- The pages ----------------------------------------------------------------------------------


def test_school_import_pages_end_to_end(district, admin_client):
    base = f"/d/{district.slug}/schools/import/"
    page = admin_client.get(base)
    assert "Download a sample file" in page.content.decode()
    sample = admin_client.get(base + "sample.csv")
    assert sample["Content-Type"].startswith("text/csv")
    assert b"name,code,level,enrollment,region" in sample.content

    bad = SimpleUploadedFile("schools.csv", b"name,level\nAdams,college\n", content_type="text/csv")
    response = admin_client.post(base, {"file": bad})
    assert response.status_code == 302
    preview = admin_client.get(response.url)
    html = preview.content.decode()
    assert "Nothing can be imported yet" in html
    assert "<code>level</code>" in html
    assert count(School, district=district) == 0

    good = SimpleUploadedFile("schools.csv", CLEAN_SCHOOLS.encode(), content_type="text/csv")
    response = admin_client.post(base, {"file": good})
    preview = admin_client.get(response.url)
    assert "Ready to import" in preview.content.decode()
    done = admin_client.post(response.url + "confirm/", follow=True)
    html = done.content.decode()
    assert "3 schools were added. 0 schools were updated." in html
    assert count(School, district=district) == 3


def test_upload_errors_show_at_the_file_field(district, admin_client):
    bad = SimpleUploadedFile("schools.csv", "name,level\nCafé,high\n".encode("cp1252"))
    response = admin_client.post(f"/d/{district.slug}/schools/import/", {"file": bad})
    assert response.status_code == 200
    assert "isn't saved as UTF-8" in response.context["form"].errors["file"][0]
    assert 'id="id_file_error"' in response.content.decode()
    response = admin_client.post(f"/d/{district.slug}/schools/import/", {})
    assert "This field is required." in response.context["form"].errors["file"][0]


def test_discarding_an_upload(district, admin_client, make_batch):
    batch = make_batch(district)
    response = admin_client.post(f"/d/{district.slug}/schools/import/{batch.pk}/discard/", follow=True)
    assert "Nothing was imported" in response.content.decode()
    assert fresh(batch).status == ImportBatch.Status.DISCARDED
    assert "was discarded" in admin_client.get(f"/d/{district.slug}/schools/import/{batch.pk}/").content.decode()


def test_a_schools_batch_is_not_a_people_batch(district, admin_client, make_batch):
    batch = make_batch(district)
    assert admin_client.get(f"/d/{district.slug}/people/import/{batch.pk}/").status_code == 404


# --- People --------------------------------------------------------------------------------------


@pytest.fixture
def places(district):
    return {
        "school": SchoolFactory(district=district, name="Jefferson Middle", code="JMS"),
        "department": DepartmentFactory(district=district, name="Operations"),
        "label": RoleLabelFactory(district=district, name="Teachers", slug="teachers"),
    }


CLEAN_PEOPLE = """email,full_name,role,school,department,role_label,title
grace@example.org,Grace Okafor,Principal,Jefferson Middle,,,Principal
michael@example.org,Michael Chen,staff,jms,,teachers,Grade 7 math
earl@example.org,Earl Jenkins,Staff,,operations,,Bus driver
pat@example.org,Pat Nguyen,Board member,,,,
"""


def test_clean_people_file_invites_everyone_after_commit(
    district, admin_member, in_district, places, run_on_commit, mailoutbox
):
    with run_on_commit():
        batch = _import(district, admin_member, PeopleImporter, CLEAN_PEOPLE, in_district)
    assert (batch.created_count, batch.updated_count) == (4, 0)
    with in_district(district):
        invitations = {i.email: i for i in Invitation.objects.select_related("school", "department", "role_label")}
    assert invitations["michael@example.org"].school == places["school"]
    assert invitations["michael@example.org"].role_label == places["label"]
    assert invitations["earl@example.org"].department == places["department"]
    assert invitations["pat@example.org"].role == Role.BOARD_MEMBER
    assert all(i.invited_by == admin_member for i in invitations.values())
    assert sorted(m.to[0] for m in mailoutbox) == sorted(invitations)


def test_people_file_updates_active_members(district, admin_member, in_district, places, make_member):
    member = make_member(district, Role.STAFF, school=None, department=places["department"], title="Driver")
    member.user.email = "earl@example.org"
    member.user.save()
    text = "email,role,school\nEARL@example.org,principal,Jefferson Middle\n"
    with in_district(district):
        _batch, plan = _preview(district, admin_member, PeopleImporter, text)
    assert plan.rows[0].action == "update"
    assert "Staff at Operations → Principal at Jefferson Middle" in plan.rows[0].description
    batch = _import(district, admin_member, PeopleImporter, text, in_district)
    assert batch.updated_count == 1
    saved = fresh(member)
    assert (saved.role, saved.school, saved.department, saved.title) == (
        Role.PRINCIPAL,
        places["school"],
        None,
        "Driver",
    )
    assert saved.history.first().history_user == admin_member.user
    assert count(Invitation, district=district) == 0


def test_people_file_with_errors_imports_nothing(district, admin_member, in_district, places, make_member, mailoutbox):
    other_admin = make_member(district, Role.DISTRICT_ADMIN)
    InvitationFactory(district=district, email="invited@example.org")
    text = f"""email,full_name,role,school,department,role_label,title
ok@example.org,Fine Person,staff,Jefferson Middle,,,
not-an-email,,staff,Jefferson Middle,,,
a@example.org,,wizard,,,,
b@example.org,,principal,Nowhere High,,,
c@example.org,,principal,,,,
d@example.org,,cabinet,Jefferson Middle,,,
twice@example.org,,board member,,,,
TWICE@example.org,,board member,,,,
invited@example.org,,board member,,,,
e@example.org,,district admin,,,,
{other_admin.user.email},,board member,,,,
f@example.org,,staff,,Nowhere Dept,Nope,
"""
    with in_district(district):
        batch, plan = _preview(district, admin_member, PeopleImporter, text)
        assert _problems(plan) == [
            (3, "email"),
            (4, "role"),
            (5, "school"),
            (6, "school"),
            (7, "department"),
            (8, "email"),
            (9, "email"),
            (10, "email"),
            (11, "role"),
            (12, "role"),
            (13, "department"),
            (13, "role_label"),
        ]
        messages = {(p.row, p.column): p.message for p in plan.problems}
        assert "also in row 9" in messages[(8, "email")]
        assert "already invited" in messages[(10, "email")]
        assert messages[(6, "school")] == "A principal needs a school."
        with pytest.raises(ValidationError):
            import_confirm(
                district=district, actor=admin_member, importer=PeopleImporter(district=district), batch=batch
            )
    assert count(Invitation, district=district) == 1
    assert mailoutbox == []


def test_a_former_member_in_the_file_is_invited_back(district, admin_member, in_district, make_member):
    former = make_member(district, Role.STAFF, is_active=False, user=UserFactory(email="back@example.org"))
    with in_district(district):
        _batch, plan = _preview(district, admin_member, PeopleImporter, "email,role\nback@example.org,board member\n")
    assert plan.rows[0].action == "create"
    assert "restores their access" in plan.rows[0].description
    _import(district, admin_member, PeopleImporter, "email,role\nback@example.org,board member\n", in_district)
    assert count(Invitation, district=district, email="back@example.org") == 1
    assert not fresh(former).is_active
    assert count(Membership, district=district) == 2


def test_people_import_pages(district, admin_client, places, mailoutbox, django_capture_on_commit_callbacks):
    base = f"/d/{district.slug}/people/import/"
    assert b"email,full_name,role" in admin_client.get(base + "sample.csv").content
    upload = SimpleUploadedFile("people.csv", CLEAN_PEOPLE.encode("utf-8-sig"))
    response = admin_client.post(base, {"file": upload})
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(response.url + "confirm/", follow=True)
    assert "4 people were invited. 0 members were updated." in done.content.decode()
    assert len(mailoutbox) == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,level\nAdams,high\nBir\x00ch,middle\n", "Row 3 holds a NUL character"),
        (b'name,level\nAdams,high\n"Birch,middle\nCarver,high\n', 'Row 3 opens a quote (") that is never closed'),
    ],
)
def test_nul_bytes_and_open_quotes_are_named_at_their_row(data, message, district, admin_member, in_district):
    with in_district(district), pytest.raises(ValidationError) as excinfo:
        _preview(district, admin_member, SchoolImporter, data)
    assert message in excinfo.value.message_dict["file"][0]
    assert count(ImportBatch, district=district) == 0


def test_files_over_the_row_limit_are_refused(district, admin_member, in_district, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = "".join(f"School {n},high\n" for n in range(4))
    with in_district(district), pytest.raises(ValidationError) as excinfo:
        _preview(district, admin_member, SchoolImporter, "name,level\n" + rows)
    assert "more than 3 rows" in excinfo.value.message_dict["file"][0]
    with in_district(district):
        _batch, plan = _preview(district, admin_member, SchoolImporter, "name,level\n" + rows[: rows.index("School 3")])
    assert plan.ok


def test_one_enrollment_limit_for_the_form_the_service_and_the_import(district, admin_member, in_district):
    from districts import services
    from districts.forms import SchoolForm

    huge = "9223372036854775807"
    form = SchoolForm({"name": "Adams", "level": "high", "enrollment": huge})
    assert not form.is_valid()
    assert "from 0 to 100,000 students" in form.errors["enrollment"][0]
    assert SchoolForm({"name": "Adams", "level": "high", "enrollment": "100000"}).is_valid()
    with in_district(district), pytest.raises(ValidationError) as excinfo:
        services.school_create(district=district, actor=admin_member, name="Adams", level="high", enrollment=100_001)
    assert "from 0 to 100,000 students" in excinfo.value.message_dict["enrollment"][0]
    with in_district(district):
        _batch, plan = _preview(district, admin_member, SchoolImporter, "name,level,enrollment\nAdams,high,100001\n")
    assert [(p.row, p.column) for p in plan.problems] == [(2, "enrollment")]
    assert "from 0 to 100,000 students" in plan.problems[0].message
    assert count(School, district=district) == 0


# --- The batch page reads the preview kept on the batch, not the file ---------------------------


def _refuse_reading(monkeypatch):
    """Make reading or planning a kept file fail the test: the batch page must not do it."""
    from districts import imports

    def refuse(*args, **kwargs):
        raise AssertionError("the batch page read the stored file again")

    monkeypatch.setattr(imports, "plan_text", refuse)
    monkeypatch.setattr(imports, "read_csv", refuse)


def test_the_batch_page_shows_the_preview_kept_at_upload_without_reading_the_file(district, admin_client, monkeypatch):
    base = f"/d/{district.slug}/schools/import/"
    good = admin_client.post(base, {"file": SimpleUploadedFile("schools.csv", CLEAN_SCHOOLS.encode())})
    text = "name,level,notes\nAdams,college,x\nBirch,high,y\nBirch,high,z\n"
    bad = admin_client.post(base, {"file": SimpleUploadedFile("bad.csv", text.encode())})
    before = {url: admin_client.get(url).content.decode() for url in (good.url, bad.url)}

    _refuse_reading(monkeypatch)
    ready = admin_client.get(good.url).content.decode()
    assert "Ready to import" in ready
    assert "3 to create, 0 to update" in ready
    assert "Add Cedar High (High, 1520 students)" in ready
    assert "Import 3 rows" in ready
    problems = admin_client.get(bad.url).content.decode()
    assert "Nothing can be imported yet" in problems
    assert "3 problems in 3 rows" in problems
    assert "“college” isn&#x27;t a school level" in problems
    assert "Columns this import doesn&#x27;t use were ignored: notes." in problems
    # The same page as before, apart from its form tokens.
    assert {url: _without_tokens(html) for url, html in {good.url: ready, bad.url: problems}.items()} == {
        url: _without_tokens(html) for url, html in before.items()
    }


def _without_tokens(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*"', "", html)


def test_a_batch_page_shows_at_most_the_first_rows_and_problems(district, admin_member, admin_client, in_district):
    from districts import imports

    rows = "".join(f"School {n},high\n" for n in range(imports.MAX_ROWS_SHOWN + 50))
    wrong = "".join(f"Wrong {n},college\n" for n in range(imports.MAX_PROBLEMS_SHOWN + 20))
    with in_district(district):
        clean, _plan = _preview(district, admin_member, SchoolImporter, "name,level\n" + rows)
        messy, _plan = _preview(district, admin_member, SchoolImporter, "name,level\n" + wrong)
    assert len(fresh(clean).preview["rows"]) == imports.MAX_ROWS_SHOWN
    assert len(fresh(messy).preview["problems"]) == imports.MAX_PROBLEMS_SHOWN
    page = admin_client.get(f"/d/{district.slug}/schools/import/{clean.pk}/").content.decode()
    assert f"(first {imports.MAX_ROWS_SHOWN} rows)" in page and "Import 250 rows" in page
    page = admin_client.get(f"/d/{district.slug}/schools/import/{messy.pk}/").content.decode()
    assert f"(first {imports.MAX_PROBLEMS_SHOWN})" in page and "520 problems in 520 rows" in page


def test_a_refused_confirm_shows_what_the_file_would_do_now(district, admin_client, monkeypatch):
    base = f"/d/{district.slug}/schools/import/"
    response = admin_client.post(base, {"file": SimpleUploadedFile("s.csv", b"name,code,level\nNew School,N-1,high\n")})
    assert "Ready to import" in admin_client.get(response.url).content.decode()
    # Added by hand meanwhile: the code now names one school and the name another.
    SchoolFactory(district=district, name="Someone Else", code="N-1")
    SchoolFactory(district=district, name="New School", code="N-2")
    refused = admin_client.post(response.url + "confirm/", follow=True).content.decode()
    assert "Nothing was imported: 1 problem in one row." in refused
    _refuse_reading(monkeypatch)
    page = admin_client.get(response.url).content.decode()
    assert "Nothing can be imported yet" in page
    assert "The code N-1 is already used by Someone Else" in page


def test_a_batch_kept_before_previews_were_kept_still_shows_one(district, admin_client, make_batch):
    batch = make_batch(district, content="name,level\nLone School,high\n")
    assert batch.preview is None
    assert (
        "Add Lone School (High)" in admin_client.get(f"/d/{district.slug}/schools/import/{batch.pk}/").content.decode()
    )
    assert fresh(batch).preview is None  # viewing a page changes nothing


def test_an_upload_over_the_size_limit_is_refused_unread(district, admin_client, settings, monkeypatch):
    from districts import import_views

    settings.IMPORT_MAX_BYTES = 1024
    monkeypatch.setattr(import_views, "import_preview", lambda **kwargs: pytest.fail("the oversized file was read"))
    big = SimpleUploadedFile("big.csv", b"name,level\n" + b"A School,high\n" * 100)
    response = admin_client.post(f"/d/{district.slug}/schools/import/", {"file": big})
    assert response.status_code == 200
    message = response.context["form"].errors["file"][0]
    assert message == "The file is 1.4\xa0KB; the most an import reads is 1.0\xa0KB. Split it into smaller files."
    assert 'id="id_file_error"' in response.content.decode()
    assert count(ImportBatch, district=district) == 0
    # The limits are said beside the field before anyone uploads.
    upload_page = admin_client.get(f"/d/{district.slug}/schools/import/").content.decode()
    assert "Up to 1.0\xa0KB and 100,000 rows." in upload_page


def test_a_value_repeated_in_many_rows_names_only_a_few_of_the_others(district, admin_member, in_district):
    # Naming every other row made a message per row that listed every row: n² in memory and in the kept preview.
    with in_district(district):
        _batch, plan = _preview(district, admin_member, SchoolImporter, "name,level\n" + "Adams,high\n" * 20)
    messages = {p.row: p.message for p in plan.problems}
    assert len(messages) == 20
    assert messages[2].endswith("appears more than once in the file: also in row 3, 4, 5, 6, 7 and 14 more.")
    assert messages[5].endswith("also in row 2, 3, 4, 6, 7 and 14 more.")
    assert messages[21].endswith("also in row 2, 3, 4, 5, 6 and 14 more.")


def test_the_kept_preview_stays_small_whatever_the_cells_hold(district, admin_member, in_district):
    from districts import imports

    huge = "x" * 10_000
    rows = "".join(f"School {n},{huge}\n" for n in range(imports.MAX_PROBLEMS_SHOWN + 10))
    with in_district(district):
        batch, plan = _preview(district, admin_member, SchoolImporter, f"name,level,{huge}\n" + rows)
    assert len(plan.problems) == imports.MAX_PROBLEMS_SHOWN + 10
    kept = fresh(batch).preview
    assert all(len(p["message"]) <= imports.MAX_TEXT_SHOWN for p in kept["problems"])
    assert all(len(note) <= imports.MAX_TEXT_SHOWN for note in kept["notes"])
    assert len(json.dumps(kept)) < 400_000


def test_an_import_says_what_it_did_in_whole_sentences_in_the_singular_and_the_plural(district):
    schools, people = SchoolImporter(district=district), PeopleImporter(district=district)
    assert schools.outcome(created=1, updated=2) == "1 school was added. 2 schools were updated."
    assert schools.outcome(created=3, updated=1) == "3 schools were added. 1 school was updated."
    assert people.outcome(created=1, updated=2) == "1 person was invited. 2 members were updated."
