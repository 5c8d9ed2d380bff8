"""The case-workbook data contract: sheets, columns, types and allowed values.

This module is pure declaration (the "what"); readers, schemas, templates and the
sample generator import it. Canonical identifiers are English; every sheet, column
and categorical value also has a Spanish alias/label.

Examples
--------
>>> from casekit.contract import SHEETS, VOCABS
>>> SHEETS["cases"].columns["case_id"].kind
'id'
>>> SHEETS["screenings"].es
'cribados'
>>> VOCABS["sex"]["female"].es
'Mujer'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "text", "date", "bool", "int", "float", "category"]


@dataclass(frozen=True)
class Label:
    """A value's labels in both languages."""

    en: str
    es: str

    def __call__(self, lang: str) -> str:
        return self.es if lang == "es" else self.en


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``vocab`` names an entry of :data:`VOCABS` for ``kind == "category"``.
    ``ge``/``le``/``gt``/``lt`` are inclusive/exclusive numeric bounds.
    """

    name: str
    kind: Kind
    es: str
    en_help: str
    es_help: str
    required: bool = False
    unique: bool = False
    vocab: str | None = None
    ge: float | None = None
    le: float | None = None
    identifying: bool = False

    def help(self, lang: str) -> str:
        return self.es_help if lang == "es" else self.en_help

    def label(self, lang: str) -> str:
        """The header a user of ``lang`` sees (Spanish alias or canonical id)."""
        return self.es if lang == "es" else self.name


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook: a name, a Spanish alias and ordered columns."""

    name: str
    es: str
    stage: int | None
    en_help: str
    es_help: str
    columns: dict[str, Column] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        return self.es if lang == "es" else self.name

    def help(self, lang: str) -> str:
        return self.es_help if lang == "es" else self.en_help

    @property
    def id_column(self) -> str | None:
        """The sheet's own id: its unique ``id`` column (``case_id`` for cases, ``goal_id``
        for goals…), or ``None`` when it has none (its rows are told apart by a natural key).

        >>> SHEETS["goals"].id_column, SHEETS["outcomes"].id_column
        ('goal_id', None)
        """
        return next((c.name for c in self.columns.values() if c.kind == "id" and c.unique), None)


# --------------------------------------------------------------------------------------
# Vocabularies: id -> Label(en, es)
# --------------------------------------------------------------------------------------


def _v(**items: tuple[str, str]) -> dict[str, Label]:
    return {k: Label(en, es) for k, (en, es) in items.items()}


LEVELS_OF_CARE = _v(
    inpatient=("Inpatient", "Hospitalización"),
    skilled_nursing=("Skilled nursing", "Cuidados de enfermería especializados"),
    rehabilitation=("Rehabilitation", "Rehabilitación"),
    home_health=("Home health", "Atención domiciliaria"),
    outpatient=("Outpatient", "Ambulatorio"),
    community=("Community", "Comunitario"),
    self_care=("Self-care", "Autocuidado"),
)

VOCABS: dict[str, dict[str, Label]] = {
    "close_reason": _v(
        goals_met=("Goals met", "Objetivos cumplidos"),
        transferred=("Transferred", "Trasladado"),
        declined=("Declined", "Rechazado"),
        lost_contact=("Lost contact", "Contacto perdido"),
        deceased=("Deceased", "Fallecido"),
        other=("Other", "Otro"),
    ),
    "referral_source": _v(
        hospital=("Hospital", "Hospital"),
        primary_care=("Primary care", "Atención primaria"),
        insurer=("Insurer", "Aseguradora"),
        self=("Self-referral", "Iniciativa propia"),
        community=("Community", "Comunidad"),
        other=("Other", "Otro"),
    ),
    "sex": _v(
        female=("Female", "Mujer"),
        male=("Male", "Hombre"),
        other=("Other", "Otro"),
        unknown=("Unknown", "Desconocido"),
    ),
    "employment": _v(
        employed=("Employed", "Empleado"),
        unemployed=("Unemployed", "Desempleado"),
        retired=("Retired", "Jubilado"),
        student=("Student", "Estudiante"),
        unable_to_work=("Unable to work", "Incapacitado para trabajar"),
        unknown=("Unknown", "Desconocido"),
    ),
    "home_environment": _v(
        stable=("Stable", "Estable"),
        unstable=("Unstable", "Inestable"),
        unsafe=("Unsafe", "Inseguro"),
    ),
    "self_management": _v(
        independent=("Independent", "Independiente"),
        needs_support=("Needs support", "Necesita apoyo"),
        dependent=("Dependent", "Dependiente"),
    ),
    "financial_situation": _v(
        secure=("Secure", "Estable"),
        strained=("Strained", "Con dificultades"),
        crisis=("Crisis", "En crisis"),
    ),
    "support_network": _v(
        strong=("Strong", "Sólida"),
        limited=("Limited", "Limitada"),
        none=("None", "Ninguna"),
    ),
    "decision": _v(
        refer_to_assessment=("Refer to assessment", "Derivar a evaluación"),
        not_eligible=("Not eligible", "No elegible"),
        declined=("Declined", "Rechazado"),
    ),
    "insurance": _v(
        insured=("Insured", "Asegurado"),
        underinsured=("Underinsured", "Cobertura insuficiente"),
        uninsured=("Uninsured", "Sin seguro"),
    ),
    "housing": _v(
        stable=("Stable", "Estable"),
        at_risk=("At risk", "En riesgo"),
        homeless=("Homeless", "Sin hogar"),
    ),
    "readiness_to_change": _v(
        precontemplation=("Precontemplation", "Precontemplación"),
        contemplation=("Contemplation", "Contemplación"),
        preparation=("Preparation", "Preparación"),
        action=("Action", "Acción"),
        maintenance=("Maintenance", "Mantenimiento"),
    ),
    "tier": _v(
        low=("Low", "Bajo"),
        moderate=("Moderate", "Moderado"),
        high=("High", "Alto"),
    ),
    "goal_domain": _v(
        physical_function=("Physical function", "Función física"),
        clinical=("Clinical", "Clínico"),
        financial=("Financial", "Financiero"),
        satisfaction=("Satisfaction", "Satisfacción"),
        knowledge=("Knowledge", "Conocimientos"),
        psychosocial=("Psychosocial", "Psicosocial"),
        housing=("Housing", "Vivienda"),
        other=("Other", "Otro"),
    ),
    "goal_owner": _v(
        client=("Client", "Cliente"),
        care_team=("Care team", "Equipo asistencial"),
    ),
    "goal_status": _v(
        planned=("Planned", "Planificado"),
        in_progress=("In progress", "En curso"),
        achieved=("Achieved", "Logrado"),
        not_achieved=("Not achieved", "No logrado"),
        cancelled=("Cancelled", "Cancelado"),
    ),
    "level_of_care": LEVELS_OF_CARE,
    "to_level": {**LEVELS_OF_CARE, "discharged": Label("Discharged", "Alta")},
    "frequency": _v(
        once=("Once", "Una vez"),
        daily=("Daily", "Diaria"),
        weekly=("Weekly", "Semanal"),
        biweekly=("Every two weeks", "Quincenal"),
        monthly=("Monthly", "Mensual"),
    ),
    "contact_kind": _v(
        appointment=("Appointment", "Cita"),
        follow_up=("Follow-up", "Seguimiento"),
        home_visit=("Home visit", "Visita domiciliaria"),
        phone_call=("Phone call", "Llamada telefónica"),
        education=("Education", "Educación"),
        post_transition=("Post-transition", "Post-transición"),
    ),
    "with_whom": _v(
        client=("Client", "Cliente"),
        support_system=("Support system", "Red de apoyo"),
        provider=("Provider", "Proveedor"),
        insurer=("Insurer", "Aseguradora"),
    ),
    "safety_action": _v(
        safety_plan=("Safety plan", "Plan de seguridad"),
        crisis_referral=("Crisis referral", "Derivación a crisis"),
        medical_evaluation=("Medical evaluation", "Evaluación médica"),
        housing_referral=("Housing referral", "Derivación a vivienda"),
        not_needed=("Not needed (give the reason)", "No necesaria (indique el motivo)"),
    ),
    "contact_status": _v(
        scheduled=("Scheduled", "Programado"),
        attended=("Attended", "Realizado"),
        missed=("Missed", "No acudió"),
        cancelled=("Cancelled", "Cancelado"),
    ),
    "transition_kind": _v(
        step_down=("Step down", "Reducción de nivel"),
        step_up=("Step up", "Aumento de nivel"),
        discharge=("Discharge", "Alta"),
        transfer=("Transfer", "Traslado"),
    ),
    "outcome_domain": _v(
        physical_function=("Physical function", "Función física"),
        clinical=("Clinical", "Clínico"),
        financial=("Financial", "Financiero"),
        satisfaction=("Satisfaction", "Satisfacción"),
        knowledge=("Knowledge", "Conocimientos"),
        psychosocial=("Psychosocial", "Psicosocial"),
        utilization=("Utilisation", "Utilización de servicios"),
    ),
    "timepoint": _v(
        baseline=("Baseline", "Basal"),
        follow_up=("Follow-up", "Seguimiento"),
        discharge=("Discharge", "Alta"),
    ),
}

# --------------------------------------------------------------------------------------
# Sheets and columns
# --------------------------------------------------------------------------------------


def _sheet(name: str, es: str, stage: int | None, en_help: str, es_help: str, *cols: Column) -> Sheet:
    return Sheet(name, es, stage, en_help, es_help, {c.name: c for c in cols})


C = Column
_CASE_ID = C(
    "case_id",
    "id",
    "id_caso",
    "Case identifier; must match a row of the cases sheet.",
    "Identificador del caso; debe existir en la hoja de casos.",
    required=True,
)

SHEETS: dict[str, Sheet] = {
    s.name: s
    for s in (
        _sheet(
            "cases",
            "casos",
            None,
            "One row per case: who the client is and when the case was opened and closed.",
            "Una fila por caso: quién es el cliente y cuándo se abrió y cerró el caso.",
            C(
                "case_id",
                "id",
                "id_caso",
                "Unique case identifier (kept as text: 007 stays 007).",
                "Identificador único del caso (se conserva como texto: 007 sigue siendo 007).",
                required=True,
                unique=True,
            ),
            C("client_id", "id", "id_cliente", "Client identifier.", "Identificador del cliente."),
            C(
                "client_name",
                "text",
                "nombre_cliente",
                "Client's name (identifying; never exported for research).",
                "Nombre del cliente (identificativo; nunca sale en exportaciones de investigación).",
                identifying=True,
            ),
            C(
                "opened_on",
                "date",
                "fecha_apertura",
                "Date the case was opened.",
                "Fecha de apertura del caso.",
                required=True,
            ),
            C(
                "closed_on",
                "date",
                "fecha_cierre",
                "Date the case was closed (not before opening).",
                "Fecha de cierre del caso (no anterior a la apertura).",
            ),
            C(
                "close_reason",
                "category",
                "motivo_cierre",
                "Why the case was closed.",
                "Motivo del cierre.",
                vocab="close_reason",
            ),
            C(
                "case_manager",
                "text",
                "gestor_caso",
                "Case manager in charge.",
                "Gestor de casos responsable.",
            ),
            C(
                "program",
                "text",
                "programa",
                "Programme the case belongs to.",
                "Programa al que pertenece el caso.",
            ),
            C(
                "referral_source",
                "category",
                "origen_derivacion",
                "Who referred the client.",
                "Quién derivó al cliente.",
                vocab="referral_source",
            ),
            C(
                "birth_date",
                "date",
                "fecha_nacimiento",
                "Client's date of birth (identifying).",
                "Fecha de nacimiento del cliente (identificativa).",
                identifying=True,
            ),
            C("sex", "category", "sexo", "Client's sex.", "Sexo del cliente.", vocab="sex"),
            C(
                "ethnicity",
                "text",
                "etnia",
                "Ethnicity (used only for fairness views, never for risk).",
                "Etnia (solo para la vista de equidad, nunca para el riesgo).",
            ),
            C("language", "text", "idioma", "Client's preferred language.", "Idioma preferido del cliente."),
        ),
        _sheet(
            "screenings",
            "cribados",
            1,
            "Stage 1: review of the client's records and the decision whether case management fits.",
            "Etapa 1: revisión de los antecedentes del cliente y decisión sobre si la gestión de casos es adecuada.",
            _CASE_ID,
            C(
                "screened_on",
                "date",
                "fecha_cribado",
                "Date of the screening (not before opening).",
                "Fecha del cribado (no anterior a la apertura).",
                required=True,
            ),
            C(
                "medical_history_reviewed",
                "bool",
                "historial_revisado",
                "Was the medical history reviewed? (yes/no)",
                "¿Se revisó el historial médico? (sí/no)",
            ),
            C(
                "employment",
                "category",
                "empleo",
                "Employment situation.",
                "Situación laboral.",
                vocab="employment",
            ),
            C(
                "home_environment",
                "category",
                "entorno_hogar",
                "Home environment.",
                "Entorno del hogar.",
                vocab="home_environment",
            ),
            C(
                "self_management",
                "category",
                "autogestion",
                "Capacity for self-management.",
                "Capacidad de autogestión.",
                vocab="self_management",
            ),
            C(
                "financial_situation",
                "category",
                "situacion_economica",
                "Socio-economic and financial situation.",
                "Situación socioeconómica y financiera.",
                vocab="financial_situation",
            ),
            C(
                "claims_12m",
                "int",
                "reclamaciones_12m",
                "Insurance claims in the last 12 months (0 or more).",
                "Reclamaciones al seguro en los últimos 12 meses (0 o más).",
                ge=0,
            ),
            C(
                "prior_services",
                "text",
                "servicios_previos",
                "Services received before.",
                "Servicios recibidos antes.",
            ),
            C(
                "support_network",
                "category",
                "red_apoyo",
                "Support network.",
                "Red de apoyo.",
                vocab="support_network",
            ),
            C(
                "decision",
                "category",
                "decision",
                "Screening decision.",
                "Decisión del cribado.",
                vocab="decision",
            ),
        ),
        _sheet(
            "assessments",
            "evaluaciones",
            2,
            "Stage 2: in-depth assessment; its values feed the risk stratification (stage 3).",
            "Etapa 2: evaluación en profundidad; sus valores alimentan la estratificación del riesgo (etapa 3).",
            _CASE_ID,
            C(
                "assessed_on",
                "date",
                "fecha_evaluacion",
                "Date of the assessment (not before opening).",
                "Fecha de la evaluación (no anterior a la apertura).",
                required=True,
            ),
            C(
                "ed_visits_6m",
                "int",
                "urgencias_6m",
                "Emergency department visits in the last 6 months.",
                "Visitas a urgencias en los últimos 6 meses.",
                ge=0,
            ),
            C(
                "admissions_12m",
                "int",
                "ingresos_12m",
                "Hospital admissions in the last 12 months.",
                "Ingresos hospitalarios en los últimos 12 meses.",
                ge=0,
            ),
            C(
                "insurance",
                "category",
                "seguro",
                "Insurance coverage.",
                "Cobertura del seguro.",
                vocab="insurance",
            ),
            C(
                "prior_services_available",
                "bool",
                "servicios_previos_disponibles",
                "Are earlier services still available? (yes/no)",
                "¿Siguen disponibles los servicios previos? (sí/no)",
            ),
            C(
                "housing",
                "category",
                "vivienda",
                "Housing status.",
                "Situación de la vivienda.",
                vocab="housing",
            ),
            C(
                "housing_safe",
                "bool",
                "vivienda_segura",
                "Is the housing safe? (yes/no)",
                "¿Es segura la vivienda? (sí/no)",
            ),
            C(
                "readiness_to_change",
                "category",
                "disposicion_cambio",
                "Readiness to change.",
                "Disposición al cambio.",
                vocab="readiness_to_change",
            ),
            C(
                "health_engagement",
                "int",
                "implicacion_salud",
                "Engagement with own health, 1 (low) to 5 (high).",
                "Implicación en la propia salud, de 1 (baja) a 5 (alta).",
                ge=1,
                le=5,
            ),
            C(
                "systolic_bp",
                "int",
                "tension_sistolica",
                "Systolic blood pressure, mmHg (60–260).",
                "Tensión arterial sistólica, mmHg (60–260).",
                ge=60,
                le=260,
            ),
            C(
                "diastolic_bp",
                "int",
                "tension_diastolica",
                "Diastolic blood pressure, mmHg (30–160, below systolic).",
                "Tensión arterial diastólica, mmHg (30–160, menor que la sistólica).",
                ge=30,
                le=160,
            ),
            C(
                "phq9",
                "int",
                "phq9",
                "PHQ-9 depression score (0–27).",
                "Puntuación PHQ-9 de depresión (0–27).",
                ge=0,
                le=27,
            ),
            C(
                "phq9_item9",
                "int",
                "phq9_item9",
                "PHQ-9 item 9, thoughts of self-harm (0–3).",
                "Ítem 9 del PHQ-9, pensamientos de autolesión (0–3).",
                ge=0,
                le=3,
            ),
            C(
                "gad7",
                "int",
                "gad7",
                "GAD-7 anxiety score (0–21).",
                "Puntuación GAD-7 de ansiedad (0–21).",
                ge=0,
                le=21,
            ),
            C(
                "audit_c",
                "int",
                "audit_c",
                "AUDIT-C alcohol score (0–12).",
                "Puntuación AUDIT-C de alcohol (0–12).",
                ge=0,
                le=12,
            ),
            C("tobacco_use", "bool", "consumo_tabaco", "Uses tobacco? (yes/no)", "¿Consume tabaco? (sí/no)"),
            C(
                "substance_use",
                "bool",
                "consumo_sustancias",
                "Uses other substances? (yes/no)",
                "¿Consume otras sustancias? (sí/no)",
            ),
            C(
                "chronic_conditions",
                "int",
                "enfermedades_cronicas",
                "Number of chronic conditions.",
                "Número de enfermedades crónicas.",
                ge=0,
            ),
            C(
                "charlson",
                "int",
                "charlson",
                "Charlson comorbidity index (0–37).",
                "Índice de comorbilidad de Charlson (0–37).",
                ge=0,
                le=37,
            ),
            C(
                "medications",
                "int",
                "medicamentos",
                "Number of regular medications.",
                "Número de medicamentos habituales.",
                ge=0,
            ),
            C(
                "bmi",
                "float",
                "imc",
                "Body-mass index, kg/m² (10–90).",
                "Índice de masa corporal, kg/m² (10–90).",
                ge=10,
                le=90,
            ),
            C(
                "exercise_min_week",
                "int",
                "ejercicio_min_semana",
                "Minutes of exercise per week.",
                "Minutos de ejercicio a la semana.",
                ge=0,
            ),
            C(
                "length_of_stay_days",
                "int",
                "dias_estancia",
                "Length of stay of the index admission, days.",
                "Días de estancia del ingreso índice.",
                ge=0,
            ),
            C(
                "acute_admission",
                "bool",
                "ingreso_urgente",
                "Was the index admission acute/emergent? (yes/no)",
                "¿Fue urgente el ingreso índice? (sí/no)",
            ),
        ),
        _sheet(
            "risk_reviews",
            "revisiones_riesgo",
            3,
            "Stage 3 decision: a reviewer confirms the computed risk tier or overrides it with a reason.",
            "Decisión de la etapa 3: un revisor confirma el nivel de riesgo calculado o lo cambia con un motivo.",
            _CASE_ID,
            C(
                "reviewed_on",
                "date",
                "fecha_revision",
                "Date of the review.",
                "Fecha de la revisión.",
                required=True,
            ),
            C("reviewer", "text", "revisor", "Who reviewed.", "Quién revisó."),
            C(
                "override_tier",
                "category",
                "nivel_corregido",
                "Tier set by the reviewer (leave blank to confirm).",
                "Nivel fijado por el revisor (en blanco para confirmar).",
                vocab="tier",
            ),
            C(
                "reason",
                "text",
                "motivo",
                "Reason (required when the tier is overridden or no safety action is needed).",
                "Motivo (obligatorio si se cambia el nivel o no se necesita acción de seguridad).",
            ),
            C(
                "safety_action",
                "category",
                "accion_seguridad",
                "Action taken on a red flag (safety plan, crisis referral…); clears the safety flag.",
                "Acción tomada ante una señal de alarma (plan de seguridad, derivación…); cierra la alerta.",
                vocab="safety_action",
            ),
        ),
        _sheet(
            "goals",
            "objetivos",
            4,
            "Stage 4: goals agreed with the client.",
            "Etapa 4: objetivos acordados con el cliente.",
            C(
                "goal_id",
                "id",
                "id_objetivo",
                "Unique goal identifier.",
                "Identificador único del objetivo.",
                required=True,
                unique=True,
            ),
            _CASE_ID,
            C(
                "domain",
                "category",
                "ambito",
                "Domain of the goal.",
                "Ámbito del objetivo.",
                vocab="goal_domain",
            ),
            C("description", "text", "descripcion", "What the goal is.", "En qué consiste el objetivo."),
            C(
                "set_on",
                "date",
                "fecha_fijacion",
                "Date the goal was set.",
                "Fecha en que se fijó el objetivo.",
                required=True,
            ),
            C(
                "target_on",
                "date",
                "fecha_meta",
                "Target date (not before it was set).",
                "Fecha meta (no anterior a cuando se fijó).",
            ),
            C(
                "status",
                "category",
                "estado",
                "Status of the goal.",
                "Estado del objetivo.",
                vocab="goal_status",
            ),
            C(
                "achieved_on",
                "date",
                "fecha_logro",
                "Date achieved (required when, and only when, achieved).",
                "Fecha de logro (obligatoria si, y solo si, está logrado).",
            ),
            C(
                "owner",
                "category",
                "responsable",
                "Whose goal it is: the client's own, or a care goal of the team (optional).",
                "De quién es el objetivo: propio del cliente o del equipo asistencial (opcional).",
                vocab="goal_owner",
            ),
            C(
                "measure",
                "text",
                "medida",
                "Outcome measure that shows progress, as in the outcomes sheet, e.g. PHQ-9 (optional).",
                "Medida de resultado que muestra el progreso, como en la hoja de resultados, p. ej. PHQ-9 (opcional).",
            ),
            C(
                "target_value",
                "float",
                "valor_meta",
                "Value of that measure that means the goal is met, e.g. 9 (optional; needs a measure).",
                "Valor de esa medida con el que el objetivo se cumple, p. ej. 9 (opcional; requiere una medida).",
            ),
        ),
        _sheet(
            "services",
            "servicios",
            4,
            "Stages 4–5: services in the plan and when they run.",
            "Etapas 4–5: servicios del plan y cuándo se prestan.",
            C(
                "service_id",
                "id",
                "id_servicio",
                "Unique service identifier.",
                "Identificador único del servicio.",
                required=True,
                unique=True,
            ),
            _CASE_ID,
            C("service", "text", "servicio", "Service name.", "Nombre del servicio."),
            C("provider", "text", "proveedor", "Who provides it.", "Quién lo presta."),
            C(
                "level_of_care",
                "category",
                "nivel_atencion",
                "Level of care.",
                "Nivel de atención.",
                vocab="level_of_care",
            ),
            C("frequency", "category", "frecuencia", "How often.", "Con qué frecuencia.", vocab="frequency"),
            C("start_on", "date", "fecha_inicio", "Start date.", "Fecha de inicio."),
            C(
                "end_on",
                "date",
                "fecha_fin",
                "End date (not before the start).",
                "Fecha de fin (no anterior al inicio).",
            ),
        ),
        _sheet(
            "contacts",
            "contactos",
            5,
            "Stages 5, 6 and 8: appointments, follow-ups, visits, calls and education sessions.",
            "Etapas 5, 6 y 8: citas, seguimientos, visitas, llamadas y sesiones educativas.",
            C(
                "contact_id",
                "id",
                "id_contacto",
                "Unique contact identifier.",
                "Identificador único del contacto.",
                required=True,
                unique=True,
            ),
            _CASE_ID,
            C(
                "contact_on",
                "date",
                "fecha_contacto",
                "Date of the contact.",
                "Fecha del contacto.",
                required=True,
            ),
            C("kind", "category", "tipo", "Kind of contact.", "Tipo de contacto.", vocab="contact_kind"),
            C("with_whom", "category", "con_quien", "With whom.", "Con quién.", vocab="with_whom"),
            C(
                "status",
                "category",
                "estado",
                "Status of the contact.",
                "Estado del contacto.",
                vocab="contact_status",
            ),
            C(
                "notes",
                "text",
                "notas",
                "Free-text notes (identifying; never exported for research).",
                "Notas libres (identificativas; nunca salen en exportaciones de investigación).",
                identifying=True,
            ),
        ),
        _sheet(
            "transitions",
            "transiciones",
            7,
            "Stage 7: moves between levels of care.",
            "Etapa 7: cambios de nivel de atención.",
            C(
                "transition_id",
                "id",
                "id_transicion",
                "Unique transition identifier.",
                "Identificador único de la transición.",
                required=True,
                unique=True,
            ),
            _CASE_ID,
            C(
                "transition_on",
                "date",
                "fecha_transicion",
                "Date of the transition.",
                "Fecha de la transición.",
                required=True,
            ),
            C(
                "from_level",
                "category",
                "nivel_origen",
                "Level of care before.",
                "Nivel de atención anterior.",
                vocab="level_of_care",
            ),
            C(
                "to_level",
                "category",
                "nivel_destino",
                "Level of care after (or discharged).",
                "Nivel de atención posterior (o alta).",
                vocab="to_level",
            ),
            C(
                "kind",
                "category",
                "tipo",
                "Kind of transition.",
                "Tipo de transición.",
                vocab="transition_kind",
            ),
            C("reason", "text", "motivo", "Why.", "Por qué."),
        ),
        _sheet(
            "outcomes",
            "resultados",
            9,
            "Stage 9: outcome measures at baseline, follow-up and discharge.",
            "Etapa 9: medidas de resultado basales, de seguimiento y al alta.",
            _CASE_ID,
            C(
                "measured_on",
                "date",
                "fecha_medicion",
                "Date of the measurement.",
                "Fecha de la medición.",
                required=True,
            ),
            C(
                "domain",
                "category",
                "ambito",
                "Outcome domain.",
                "Ámbito del resultado.",
                vocab="outcome_domain",
            ),
            C(
                "measure",
                "text",
                "medida",
                "Measure name, e.g. PHQ-9, ed_visits_6m, monthly_cost.",
                "Nombre de la medida, p. ej. PHQ-9, ed_visits_6m, monthly_cost.",
                required=True,
            ),
            C(
                "value",
                "float",
                "valor",
                "Measured value (a number).",
                "Valor medido (un número).",
                required=True,
            ),
            C(
                "timepoint",
                "category",
                "momento",
                "When it was measured.",
                "Momento de la medición.",
                vocab="timepoint",
                required=True,
            ),
            C(
                "higher_is_better",
                "bool",
                "mayor_es_mejor",
                "Is a higher value better? (yes/no)",
                "¿Un valor más alto es mejor? (sí/no)",
            ),
        ),
    )
}

#: Sheets in workbook order.
SHEET_ORDER: tuple[str, ...] = tuple(SHEETS)

#: Columns casekit itself writes into a sheet beyond the contract: a de-identified
#: extract's ``age`` and ``age_band`` (from ``birth_date``, :mod:`casekit.deid`). Their
#: headers come from ``casekit/locales/columns.toml`` (the Spanish one in a Spanish file,
#: the id in an English one, like the contract's); the reader maps either back to the id.
DERIVED_COLUMNS: dict[str, tuple[str, ...]] = {"cases": ("age", "age_band")}

#: Name of the column every read frame carries: the 1-based row number the user sees
#: in the spreadsheet (header = row 1, first data row = 2).
ROW = "_row"

#: Values read as True / False in boolean columns (after normalising case/accents).
TRUE_WORDS = frozenset({"yes", "y", "si", "s", "true", "t", "1", "x", "verdadero", "v"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "falso"})
#: In a boolean column a blank cell is False only when the rest of the column uses the
#: "x/blank" style (at least one "x"); otherwise blank means unknown (null).

#: Cross-column rules inside one sheet: (sheet, column, op, other column).
ROW_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("cases", "closed_on", ">=", "opened_on"),
    ("assessments", "diastolic_bp", "<", "systolic_bp"),
    ("goals", "target_on", ">=", "set_on"),
    ("services", "end_on", ">=", "start_on"),
)

#: Date column of each event sheet checked against the case's opening/closing dates.
EVENT_DATES: dict[str, str] = {
    "screenings": "screened_on",
    "assessments": "assessed_on",
    "risk_reviews": "reviewed_on",
    "goals": "set_on",
    "services": "start_on",
    "contacts": "contact_on",
    "transitions": "transition_on",
    "outcomes": "measured_on",
}

#: Sheets whose rows may fall up to :data:`POST_CLOSURE_GRACE_DAYS` after closing.
POST_CLOSURE_GRACE_SHEETS = frozenset({"contacts", "outcomes"})
POST_CLOSURE_GRACE_DAYS = 90


def vocab_of(sheet: str, column: str) -> dict[str, Label]:
    """Allowed values of a categorical column.

    >>> sorted(vocab_of("cases", "sex"))
    ['female', 'male', 'other', 'unknown']
    """
    col = SHEETS[sheet].columns[column]
    if col.vocab is None:
        raise KeyError(f"{sheet}.{column} is not categorical")
    return VOCABS[col.vocab]


def identifying_columns() -> dict[str, list[str]]:
    """Columns that identify a person, by sheet (never in research exports)."""
    return {
        s.name: [c.name for c in s.columns.values() if c.identifying]
        for s in SHEETS.values()
        if any(c.identifying for c in s.columns.values())
    }
