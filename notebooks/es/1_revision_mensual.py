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
# # Revisión mensual de un piloto
#
# Para la persona que dirige el programa: en una pasada, el estado de los datos, el embudo
# de las nueve etapas y el tiempo en cada una, la lista de trabajo por prioridad y gestora,
# los seguimientos atrasados por nivel de riesgo, los resultados que mejoraron (con su
# intervalo de confianza), el uso de servicios por mes-persona antes y después, y la página
# resumen para el financiador.
#
# **Cómo usarlo con sus datos:** cambie `ORIGEN` en la celda siguiente y ejecute todo
# (*Run → Run All Cells*). Todas las cifras salen de las funciones de casekit: las reglas
# (plazos, alertas, mejoras, supresión de celdas pequeñas) están en el paquete, no aquí.

# %%
# Lo único que hay que cambiar: de dónde salen los datos.
#   "sample"                    → la muestra incluida (500 casos sintéticos, a 30/09/2026)
#   "datos/equipo.xlsx"         → su libro (.xlsx, .xlsm, .ods) o una carpeta de CSV/Parquet
#   "casekit.db"                → su espacio de trabajo (o "postgresql+psycopg://usuario@servidor/bd")
ORIGEN = "sample"
FECHA = None  # None: 30/09/2026 para la muestra, hoy para sus datos; o una fecha, p. ej. "2026-10-31"
SALIDA = "salidas"  # carpeta donde se guardan la página resumen y el informe

# %%
from pathlib import Path

import polars as pl
from IPython.display import Markdown, display

import casekit as ck
from casekit import charts, present
from casekit.outcomes import rtm_caveat
from casekit.report import build_report
from casekit.risk import TIERS
from casekit.summary import summary_sections
from casekit.summary_pdf import format_cell, summary_pdf

LANG = "es"
carga = ck.open_caseload(ORIGEN, as_of=FECHA, lang=LANG)
resultado, fecha = carga.result, carga.as_of
salida = Path(SALIDA)
salida.mkdir(parents=True, exist_ok=True)
print(f"Datos: {carga.source} — a fecha {present.format_date(fecha, LANG)}")

# %% [markdown]
# ## 1. Estado de la validación
#
# Las filas con errores quedan en cuarentena (fuera de la lógica de etapas, contadas);
# los avisos solo se informan. La tabla resume el informe por hoja y comprobación.

# %%
en_cuarentena = {hoja: filas.height for hoja, filas in resultado.quarantined.items() if filas.height}
print(f"Errores: {resultado.n_errors} · avisos: {resultado.n_warnings} · filas en cuarentena: {en_cuarentena or 0}")
por_comprobacion = resultado.report.group_by("sheet", "check", "severity").agg(filas=pl.len())
present.readable(por_comprobacion.sort("filas", descending=True), LANG, headers={"filas": "Filas"})

# %% [markdown]
# ## 2. Embudo y tiempo en cada etapa
#
# `build_report` calcula una sola vez todo lo que el informe y la página resumen enseñan
# (estado de cada caso, lista de trabajo, riesgo, resultados, uso de servicios).

# %%
informe = build_report(resultado, as_of=fecha, lang=LANG)
estado = informe.sheets["status"]
present.readable(ck.funnel(estado), LANG)

# %%
charts.funnel_chart(estado, lang=LANG)

# %%
present.readable(ck.time_in_stage(estado), LANG)

# %%
charts.durations_chart(ck.stage_durations(ck.stage_entries(resultado, as_of=fecha)), lang=LANG)

# %% [markdown]
# ## 3. Lista de trabajo por prioridad y gestora
#
# Una fila por alerta abierta. Prioridades: 1 seguridad, 2 transiciones, 3 contacto,
# 4 plazos, 5 casos cerrados por ordenar, 6 datos; dentro de cada una, el nivel alto primero.
# Primero, cuántas alertas tiene cada gestora en cada prioridad:

# %%
lista = informe.sheets["worklist"]
por_gestora = lista.pivot(
    "priority", index="case_manager", values="case_id", aggregate_function="len", sort_columns=True
)
por_gestora.fill_null(0).sort("case_manager")

# %%
present.readable(lista.head(10), LANG)

# %%
charts.flags_by_manager_chart(estado, lang=LANG)

# %% [markdown]
# ## 4. Seguimientos atrasados por nivel de riesgo
#
# La alerta `follow_up_overdue` sale cuando el último contacto atendido más la cadencia del
# nivel (14/30/60 días para alto/moderado/bajo por defecto) ya ha pasado.

# %%
atrasados = ck.flags_long(estado).filter(pl.col("flag") == "follow_up_overdue")
por_nivel = atrasados.group_by("effective_tier").agg(casos=pl.len()).sort(pl.col("effective_tier").cast(pl.Enum(TIERS)))
present.readable(por_nivel, LANG, headers={"casos": "Casos"})

# %% [markdown]
# ## 5. Resultados que mejoraron
#
# Cada medida emparejada (basal → último seguimiento); «mejoró» quiere decir más allá de
# la diferencia mínima clínicamente importante cuando el catálogo la tiene. Media del cambio
# con su intervalo de confianza del 95 %. Los grupos de 1 a 10 casos salen en blanco.

# %%
resultados = ck.outcome_summary(resultado, by=["measure"], as_of=fecha)
present.readable(
    resultados.select(
        "measure", "n_paired", "mean_change", "ci_low", "ci_high", "pct_improved", "pct_improved_any", "suppressed"
    ),
    LANG,
)

# %%
charts.outcomes_chart(resultados, lang=LANG)

# %% [markdown]
# ## 6. Uso de servicios por mes-persona, antes y después
#
# Urgencias e ingresos por 1.000 meses-persona y coste por persona y mes, en ventanas que
# no se solapan. Léalo siempre con la advertencia:

# %%
print(rtm_caveat(LANG))
present.readable(ck.utilisation_rate_summary(resultado, as_of=fecha), LANG)

# %%
charts.utilisation_chart(ck.utilisation_summary(resultado, as_of=fecha), lang=LANG)

# %% [markdown]
# ## 7. La página para el financiador
#
# Una página A4 con las mismas cifras del informe; los recuentos de 1 a 10 personas salen
# en blanco (`for_sharing=True`). El informe completo, en Excel, es para el equipo.

# %%
for seccion in summary_sections(informe, lang=LANG):  # lo que imprime la página (for_sharing=True)
    filas = [[fila.label, *(format_cell(celda, LANG) for celda in fila.cells)] for fila in seccion.rows]
    display(Markdown(f"**{seccion.title}**"), pl.DataFrame(filas, schema=[" ", *seccion.headers], orient="row"))

# %%
pdf = summary_pdf(informe, salida / "resumen_financiador.pdf", lang=LANG)
xlsx = ck.write_report(informe, salida / "informe.xlsx", as_of=fecha, lang=LANG, charts=False)
sorted(p.name for p in salida.iterdir())
