"""Word pools for the synthetic caseload (:mod:`casekit.sample`).

Free text in the sample (programmes, services, goals, notes, reasons) exists in
English and Spanish: each entry is an ``(en, es)`` pair and :func:`pick` returns the
column for one language. Names are not translated; the client pool mixes Spanish and
English names on purpose.
"""

from __future__ import annotations

import datetime as dt

#: Reference date of the bundled sample: its stages and flags are stated as of this day
#: (:data:`casekit.sample.SAMPLE_AS_OF`; here, where the app reads it without loading the
#: sample's generator and numpy).
SAMPLE_AS_OF = dt.date(2026, 9, 30)

Pair = tuple[str, str]

# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------

ES_FEMALE = (
    "María", "Carmen", "Lucía", "Ana", "Isabel", "Laura", "Marta", "Elena", "Pilar", "Rosa",
    "Dolores", "Cristina", "Paula", "Teresa", "Sofía", "Raquel", "Beatriz", "Nuria", "Alicia",
    "Guadalupe", "Rocío", "Mercedes", "Inés", "Julia", "Consuelo", "Amparo",
)  # fmt: skip
ES_MALE = (
    "José", "Antonio", "Manuel", "Francisco", "Juan", "David", "Javier", "Carlos", "Miguel",
    "Alejandro", "Rafael", "Pedro", "Luis", "Fernando", "Jorge", "Sergio", "Pablo", "Andrés",
    "Ramón", "Diego", "Alberto", "Enrique", "Ignacio", "Tomás", "Joaquín", "Emilio",
)  # fmt: skip
ES_LAST = (
    "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez",
    "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez",
    "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil",
    "Ramírez", "Serrano", "Blanco", "Molina", "Morales", "Suárez", "Ortega", "Delgado", "Castro",
    "Ortiz", "Rubio", "Marín", "Sanz", "Iglesias", "Núñez", "Peña",
)  # fmt: skip
EN_FEMALE = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah",
    "Karen", "Emily", "Margaret", "Dorothy", "Helen", "Olivia", "Grace", "Emma", "Hannah", "Alice",
    "Ruth", "Joan", "Evelyn",
)  # fmt: skip
EN_MALE = (
    "James", "Robert", "John", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
    "Charles", "George", "Edward", "Henry", "Daniel", "Matthew", "Andrew", "Peter", "Samuel",
    "Frank", "Arthur", "Walter", "Harold",
)  # fmt: skip
EN_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Jackson", "White", "Harris", "Martin", "Thompson", "Clark",
    "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams",
    "Nelson", "Hill", "O'Brien", "Murphy",
)  # fmt: skip

CASE_MANAGERS = (
    "Ana Belén Ortiz",
    "Carlos Medina",
    "Sarah Collins",
    "Javier Ruiz Sanz",
    "Emily Parker",
    "Marta Iglesias",
    "David O'Connor",
)
#: Clinical leads who also review risk tiers.
REVIEWERS = ("Dra. Elena Vidal", "Dr. Michael Grant", "Dra. Pilar Castaño")

# --------------------------------------------------------------------------------------
# Case attributes (free text: en, es)
# --------------------------------------------------------------------------------------

PROGRAMS: tuple[Pair, ...] = (
    ("Complex chronic care", "Crónicos complejos"),
    ("Transitional care after discharge", "Transición tras el alta"),
    ("Community mental health", "Salud mental comunitaria"),
    ("Frail older adults", "Personas mayores frágiles"),
)
ETHNICITIES: tuple[Pair, ...] = (
    ("White / European", "Blanca / europea"),
    ("Hispanic / Latino", "Hispana / latina"),
    ("Black / African", "Negra / africana"),
    ("Arab / North African", "Árabe / norteafricana"),
    ("Roma", "Gitana"),
    ("Asian", "Asiática"),
    ("Other", "Otra"),
    ("Not stated", "No consta"),
)
PRIOR_SERVICES: tuple[Pair, ...] = (
    ("None", "Ninguno"),
    ("Home help", "Ayuda a domicilio"),
    ("Day centre", "Centro de día"),
    ("Physiotherapy", "Fisioterapia"),
    ("Mental health services", "Servicios de salud mental"),
    ("Social services", "Servicios sociales"),
    ("Meals on wheels", "Comida a domicilio"),
)

# --------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------

#: Goal descriptions by goal domain (the contract's ``goal_domain`` ids).
GOALS: dict[str, tuple[Pair, ...]] = {
    "physical_function": (
        ("Walk 20 minutes a day without help", "Caminar 20 minutos al día sin ayuda"),
        ("Shower and dress independently", "Ducharse y vestirse sin ayuda"),
        ("No falls in the next three months", "Ninguna caída en los próximos tres meses"),
    ),
    "clinical": (
        ("Blood pressure below 140/90", "Tensión arterial por debajo de 140/90"),
        ("Take medication as prescribed every day", "Tomar cada día la medicación pautada"),
        ("Reduce PHQ-9 score by 5 points", "Reducir 5 puntos la puntuación PHQ-9"),
        ("HbA1c below 7.5 %", "HbA1c por debajo del 7,5 %"),
    ),
    "financial": (
        ("Apply for disability benefit", "Solicitar la prestación por discapacidad"),
        ("Set up a monthly budget", "Preparar un presupuesto mensual"),
    ),
    "satisfaction": (("Client rates the care plan as useful", "El cliente valora el plan de cuidados como útil"),),
    "knowledge": (
        ("Recognise warning signs of heart failure", "Reconocer los signos de alarma de la insuficiencia cardiaca"),
        ("Use the inhaler correctly", "Usar correctamente el inhalador"),
        ("Understand each medication and its purpose", "Conocer cada medicamento y para qué sirve"),
    ),
    "psychosocial": (
        ("Join a weekly support group", "Acudir a un grupo de apoyo semanal"),
        ("Reconnect with family and friends", "Retomar el contacto con familia y amigos"),
    ),
    "housing": (
        ("Find stable housing", "Conseguir una vivienda estable"),
        ("Install grab bars in the bathroom", "Instalar asideros en el baño"),
    ),
    "other": (("Arrange transport to appointments", "Organizar el transporte a las citas"),),
}

#: Services: (en, es, level_of_care id, frequency id).
SERVICES: tuple[tuple[str, str, str, str], ...] = (
    ("Inpatient stay", "Ingreso hospitalario", "inpatient", "daily"),
    ("Skilled nursing facility", "Centro de cuidados de enfermería", "skilled_nursing", "daily"),
    ("Physiotherapy", "Fisioterapia", "rehabilitation", "weekly"),
    ("Occupational therapy", "Terapia ocupacional", "rehabilitation", "biweekly"),
    ("Home nursing visits", "Enfermería a domicilio", "home_health", "weekly"),
    ("Home help", "Ayuda a domicilio", "home_health", "daily"),
    ("Primary-care follow-up", "Seguimiento en atención primaria", "outpatient", "monthly"),
    ("Psychology sessions", "Sesiones de psicología", "outpatient", "biweekly"),
    ("Cardiology clinic", "Consulta de cardiología", "outpatient", "once"),
    ("Day centre", "Centro de día", "community", "weekly"),
    ("Social work support", "Apoyo de trabajo social", "community", "biweekly"),
    ("Self-management programme", "Programa de autocuidado", "self_care", "weekly"),
    ("Telemonitoring", "Telemonitorización", "self_care", "daily"),
)
#: Providers by level of care (two each; fictitious names).
PROVIDERS: dict[str, tuple[str, str]] = {
    "inpatient": ("Hospital General del Norte", "Riverside Hospital"),
    "skilled_nursing": ("Residencia Los Olivos", "Oakwood Nursing Centre"),
    "rehabilitation": ("Centro de Rehabilitación Sur", "Northside Rehab"),
    "home_health": ("Cuidar en Casa S.L.", "HomeCare Partners"),
    "outpatient": ("Centro de Salud San Roque", "Vista Alegre Clinic"),
    "community": ("Servicios Sociales Municipales", "Fundación Acompañar"),
    "self_care": ("Escuela de Pacientes", "Self-Care Hub"),
}

# --------------------------------------------------------------------------------------
# Decisions, contacts, transitions
# --------------------------------------------------------------------------------------

OVERRIDE_REASONS: tuple[Pair, ...] = (
    ("Recent fall not captured by the score", "Caída reciente que la puntuación no recoge"),
    ("Caregiver burnout at home", "Sobrecarga de la persona cuidadora"),
    ("Strong family support lowers the risk", "Un buen apoyo familiar reduce el riesgo"),
    ("Recent hospital admission", "Ingreso hospitalario reciente"),
    ("Clinical judgement after home visit", "Juicio clínico tras la visita domiciliaria"),
)
CONTACT_NOTES: tuple[Pair, ...] = (
    ("Reviewed medication with the client", "Revisada la medicación con el cliente"),
    ("Client reports feeling better", "El cliente refiere encontrarse mejor"),
    ("Daughter attended; discussed care calendar", "Acudió la hija; se revisó el calendario de cuidados"),
    ("Insurer informed of plan changes", "Se informó a la aseguradora de los cambios del plan"),
    ("Left a voicemail", "Se dejó un mensaje en el contestador"),
    ("Education on warning signs", "Educación sobre signos de alarma"),
)
TRANSITION_REASONS: dict[str, tuple[Pair, ...]] = {
    "step_down": (
        ("Condition improved", "Mejoría clínica"),
        ("Weekly to monthly physiotherapy", "Fisioterapia de semanal a mensual"),
    ),
    "step_up": (
        ("Readmitted after a fall", "Reingreso tras una caída"),
        ("Worsening symptoms", "Empeoramiento de los síntomas"),
    ),
    "discharge": (
        ("Hospital discharge home", "Alta hospitalaria a domicilio"),
        ("Goals of the episode met", "Objetivos del episodio cumplidos"),
    ),
    "transfer": (
        ("Moved to another area", "Cambio de domicilio a otra zona"),
        ("Transfer to a specialised provider", "Traslado a un proveedor especializado"),
    ),
}


def pick(pairs: tuple[Pair, ...], lang: str) -> list[str]:
    """The texts of ``pairs`` in ``lang`` (``"es"`` or anything else for English).

    >>> pick(PROGRAMS, "es")[0]
    'Crónicos complejos'
    """
    i = 1 if lang == "es" else 0
    return [p[i] for p in pairs]
