"""Demo part: Riverbend's highlights (published and a draft, in English and Spanish) and its public page on.

Runs after the check-ins demo and before the board report's, so the board pages, the public page and
the report have published highlights to show and a draft the board never sees. Idempotent: a district
that already has highlights keeps them; the public page setting is set either way.
"""

from __future__ import annotations

from django.db import transaction

from core import cache_versions
from districts.demo import RIVERBEND_SLUG
from districts.models import District, Membership
from districts.roles import Role
from districts.tenancy import district_context
from plans.selectors import active_plan
from priorities.models import Priority

from .highlights import highlight_create, highlight_publish
from .models import Highlight

# (priority position or None, title, title_es, body, body_es, published)
HIGHLIGHTS = [
    (
        1,
        "Third graders reading on grade level rose again",
        "Más alumnos de tercer grado leen al nivel de su grado",
        "Every elementary school now runs daily small-group reading. Two more schools moved from at risk to on "
        "track this month, and families borrowed twice as many books from the new classroom libraries.",
        "Todas las escuelas primarias tienen ahora lectura diaria en grupos pequeños. Dos escuelas más pasaron de "
        "en riesgo a en camino este mes, y las familias se llevaron el doble de libros de las nuevas bibliotecas "
        "de aula.",
        True,
    ),
    (
        2,
        "Attendance teams reached every family of a chronically absent student",
        "Los equipos de asistencia contactaron a todas las familias con ausentismo crónico",
        "Each school's attendance team called or visited the families of students missing ten percent of days. "
        "Chronic absence is down three points since the fall.",
        "El equipo de asistencia de cada escuela llamó o visitó a las familias de los alumnos que faltan el diez "
        "por ciento de los días. El ausentismo crónico bajó tres puntos desde el otoño.",
        True,
    ),
    (
        None,
        "Check-ins on time in nine of ten schools",
        "Seguimientos a tiempo en nueve de cada diez escuelas",
        "Principals submitted their monthly check-ins on time in nine of ten schools, and every support request "
        "got a first answer within a week.",
        "Los directores entregaron su seguimiento mensual a tiempo en nueve de cada diez escuelas, y cada "
        "solicitud de apoyo recibió una primera respuesta en menos de una semana.",
        True,
    ),
    (
        3,
        "Draft: math coaching pilot",
        "",
        "Early notes on the math coaching pilot, not ready for the board yet.",
        "",
        False,
    ),
]


def seed() -> list[str]:
    district = District.objects.get(slug=RIVERBEND_SLUG)
    with transaction.atomic(), district_context(district):
        if not district.public_page_enabled:
            District.objects.filter(pk=district.pk).update(public_page_enabled=True)
            cache_versions.bump(district.pk, cache_versions.PUBLISHED)
        plan = active_plan(district=district)
        if plan is None:
            return [f"{district.name}: no active plan, no highlights"]
        if Highlight.objects.filter(district=district).exists():
            return [f"{district.name}: highlights already seeded; public page on"]
        superintendent = Membership.objects.filter(district=district, role=Role.SUPERINTENDENT).first()
        priorities = {p.position: p for p in Priority.objects.filter(district=district, plan=plan)}
        made = 0
        for position, title, title_es, body, body_es, published in HIGHLIGHTS:
            highlight = highlight_create(
                district=district,
                actor=superintendent,
                plan=plan,
                priority=priorities.get(position) if position else None,
                title=title,
                title_es=title_es,
                body=body,
                body_es=body_es,
            )
            if published:
                highlight_publish(district=district, actor=superintendent, highlight=highlight)
            made += 1
    return [f"{district.name}: {made} highlights (one a draft); public page on at /p/{district.slug}/"]
