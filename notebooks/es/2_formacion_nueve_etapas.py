# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Sesión de formación: las nueve etapas, un cliente cada vez
#
# Para quien forma al equipo. La sesión recorre un cliente real por las nueve etapas
# (cribado, evaluación, estratificación del riesgo, plan, implementación, seguimiento,
# transición, contacto tras la transición y evaluación de resultados): qué busca cada etapa,
# las filas del cliente que mira, la decisión que toma casekit y **por qué**. Después, las
# preguntas «¿y si…?»: cambiar un PHQ-9 o la frecuencia de seguimiento y ver cómo se mueven
# los puntos, el nivel y las alertas.
#
# Es lo mismo que la pantalla **Aprender** de la aplicación (`casekit.learn`, ver
# `docs/learn.md`). **Con sus datos:** cambie `ORIGEN` y ejecute todo; los clientes de
# ejemplo se eligen por reglas sobre los resultados de casekit, no por su número.

# %%
# Lo único que hay que cambiar: de dónde salen los datos.
#   "sample"                    → la muestra incluida (500 casos sintéticos, a 30/09/2026)
#   "datos/equipo.xlsx"         → su libro (.xlsx, .xlsm, .ods) o una carpeta de CSV/Parquet
#   "casekit.db"                → su espacio de trabajo (o "postgresql+psycopg://usuario@servidor/bd")
ORIGEN = "sample"
FECHA = None  # None: 30/09/2026 para la muestra, hoy para sus datos; o una fecha, p. ej. "2026-10-31"
SALIDA = "salidas"  # carpeta donde se guardan las hojas para imprimir

# %%
from pathlib import Path

import polars as pl
from IPython.display import Markdown, display

import casekit as ck
from casekit import charts, learn, present
from casekit.stages import stage_label

LANG = "es"
carga = ck.open_caseload(ORIGEN, as_of=FECHA, lang=LANG)
resultado, fecha = carga.result, carga.as_of
salida = Path(SALIDA)
salida.mkdir(parents=True, exist_ok=True)
print(f"Datos: {carga.source} — a fecha {present.format_date(fecha, LANG)}")


def mostrar_etapa(paso: learn.StageStep) -> None:
    """Una etapa como en la pantalla Aprender: para qué sirve, la decisión, por qué y las filas del cliente."""
    motivos = "\n".join(f"- {motivo}" for motivo in paso.reasons(LANG))
    display(
        Markdown(
            f"### {paso.number}. {stage_label(paso.stage, LANG)}\n\n*{paso.purpose(LANG)}*\n\n"
            f"**{paso.headline(LANG)}**\n\n{motivos}"
        )
    )
    for filas in paso.data.values():
        display(present.readable(filas, LANG))


# %% [markdown]
# ## Los clientes de ejemplo
#
# Un cliente real por cada recorrido típico: sin tropiezos, riesgo alto, detenido antes del
# plan, citas perdidas, sin llamada tras la transición, reingreso. Los recorridos que no
# aparecen en los datos se omiten.

# %%
elegidos = learn.curated_clients(resultado, as_of=fecha)
elegidos.select("path", "case_id", "label_es")


# %%
def cliente(recorrido: str) -> str:
    """El caso elegido para un recorrido (o el primero de la lista si ese recorrido no está)."""
    fila = elegidos.filter(pl.col("path") == recorrido)
    return (fila if fila.height else elegidos)["case_id"][0]


caso = cliente("high_risk")
pasos = learn.walkthrough(resultado, caso, as_of=fecha)
print(f"Cliente {caso}: " + " → ".join(f"{p.number} {p.state}" for p in pasos))

# %% [markdown]
# ## Las nueve etapas
#
# `state` dice si la etapa está hecha (`done`), es donde está o se detuvo el cliente
# (`current`) o queda por delante (`ahead`).

# %%
mostrar_etapa(pasos[0])  # 1. cribado

# %%
mostrar_etapa(pasos[1])  # 2. evaluación

# %%
mostrar_etapa(pasos[2])  # 3. estratificación del riesgo
charts.factors_chart(ck.score_risk(resultado, as_of=fecha), caso, lang=LANG)

# %%
mostrar_etapa(pasos[3])  # 4. plan

# %%
mostrar_etapa(pasos[4])  # 5. implementación

# %%
mostrar_etapa(pasos[5])  # 6. seguimiento
charts.calendar_chart(resultado, caso, lang=LANG, as_of=fecha)

# %%
mostrar_etapa(pasos[6])  # 7. transición

# %%
mostrar_etapa(pasos[7])  # 8. contacto tras la transición

# %%
mostrar_etapa(pasos[8])  # 9. evaluación de resultados

# %% [markdown]
# ## ¿Y si…? El riesgo
#
# `what_if_risk` cambia un valor de la **última evaluación** del cliente (la que puntúa
# `score_risk`) y vuelve a puntuarla con el mismo modelo: qué factores se mueven, la nueva
# puntuación, qué umbral cruza y si aparece una señal de alarma. Nada se guarda.

# %%
learn.recorded_inputs(resultado, caso, ["phq9", "phq9_item9", "gad7", "systolic_bp", "diastolic_bp"], as_of=fecha)

# %%
sin_depresion = learn.what_if_risk(resultado, caso, {"phq9": 0}, as_of=fecha)
print(f"Nivel calculado: {sin_depresion.before['computed_tier']} → {sin_depresion.after['computed_tier']}")
for frase in sin_depresion.explanation(LANG):
    print("·", frase)
sin_depresion.factors.filter(pl.col("points_before") != pl.col("points_after")).drop("factor", "factor_en")

# %% [markdown]
# El ítem 9 del PHQ-9 (pensamientos de autolesión) es una señal de alarma: obliga al nivel
# alto sean cuales sean los puntos.

# %%
alarma = learn.what_if_risk(resultado, caso, {"phq9": 0, "phq9_item9": 2}, as_of=fecha)
for frase in alarma.explanation(LANG):
    print("·", frase)

# %% [markdown]
# ## ¿Y si…? Las reglas del proceso
#
# `what_if_process` cambia una regla (plazos, frecuencia de seguimiento por nivel, ventana
# tras una transición; `learn.RULES`) solo para esta pregunta y vuelve a calcular el estado
# del cliente: qué alertas desaparecen, aparecen o cambian de fecha, y por qué.
#
# Primero, el cliente de las citas perdidas con una frecuencia de seguimiento mucho más
# larga para su nivel: el seguimiento atrasado desaparece.

# %%
estado = ck.case_status(resultado, as_of=fecha)
caso_citas = cliente("missed_appointments")
nivel = estado.filter(pl.col("case_id") == caso_citas)["effective_tier"][0] or "low"
mas_larga = learn.what_if_process(resultado, caso_citas, {f"cadence_{nivel}": 180}, as_of=fecha)
for frase in mas_larga.explanation(LANG):
    print("·", frase)
present.readable(mas_larga.flags, LANG)

# %% [markdown]
# Ahora al revés: un cliente en seguimiento y al día, con una frecuencia de una semana.
# Si su último contacto atendido tiene más de siete días, la alerta aparece.

# %%
al_dia = estado.filter(
    (pl.col("current_stage") == "monitoring")
    & pl.col("effective_tier").is_not_null()
    & ~pl.col("flags").list.contains("follow_up_overdue")
).sort("case_id")
if al_dia.height == 0:
    print("Ningún cliente en seguimiento y al día en estos datos.")
else:
    caso_al_dia, nivel_al_dia = al_dia.row(0, named=True)["case_id"], al_dia.row(0, named=True)["effective_tier"]
    mas_corta = learn.what_if_process(resultado, caso_al_dia, {f"cadence_{nivel_al_dia}": 7}, as_of=fecha)
    print(f"Cliente {caso_al_dia}: aparecen {mas_corta.appeared}, desaparecen {mas_corta.cleared}")
    for frase in mas_corta.explanation(LANG):
        print("·", frase)

# %% [markdown]
# ## Hojas para imprimir
#
# Cada etapa cabe en una página A4 (`learn.stage_handout_html`); el recorrido entero son
# nueve páginas. Abra el archivo en el navegador e imprímalo.

# %%
hojas = salida / f"recorrido_{caso}.html"
hojas.write_text(learn.walkthrough_handout_html(pasos, lang=LANG), encoding="utf-8")
print(hojas, f"{hojas.stat().st_size:,} bytes")
