"""The roles a membership can hold (PRODUCT.md, "Who uses it")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District admin")
    SUPERINTENDENT = "superintendent", _("Superintendent")
    CABINET = "cabinet", _("Cabinet / department lead")
    PRINCIPAL = "principal", _("Principal")
    STAFF = "staff", _("Staff")
    BOARD_MEMBER = "board_member", _("Board member")
    PARTNER_COACH = "partner_coach", _("Partner coach")


# Which place a role is tied to: a school, a department, either (staff) or none.
ROLES_WITH_SCHOOL = frozenset({Role.PRINCIPAL})
ROLES_WITH_DEPARTMENT = frozenset({Role.CABINET})
ROLES_WITH_SCHOOL_OR_DEPARTMENT = frozenset({Role.STAFF})
DISTRICT_WIDE_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUPERINTENDENT, Role.BOARD_MEMBER, Role.PARTNER_COACH})


def place_problem(role: str, *, has_school: bool, has_department: bool) -> tuple[str, str] | None:
    """Return (field, message) when a role's school/department is wrong, else None."""
    if role in ROLES_WITH_SCHOOL:
        if not has_school:
            return "school", str(_("A principal needs a school."))
        if has_department:
            return "department", str(_("A principal belongs to a school, not a department."))
    elif role in ROLES_WITH_DEPARTMENT:
        if not has_department:
            return "department", str(_("A cabinet member or department lead needs a department."))
        if has_school:
            return "school", str(_("A cabinet member belongs to a department, not a school."))
    elif role in ROLES_WITH_SCHOOL_OR_DEPARTMENT:
        if has_school == has_department:
            return "school", str(_("Staff belong to exactly one school or one department."))
    elif has_school or has_department:
        field = "school" if has_school else "department"
        return field, str(_("This role covers the whole district; leave school and department empty."))
    return None
