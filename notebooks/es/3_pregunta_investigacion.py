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
# # Una pregunta de investigación: ¿cuánto se tarda en tener un plan?
#
# **Pregunta.** ¿Difiere el tiempo desde la apertura del caso hasta el plan completo
# (etapa 4) según el nivel de riesgo y el programa?
#
# El cuaderno sigue el camino de un artículo: la cohorte (una fila por caso), la medida y
# su distribución, una prueba no paramétrica, la comparación de dos cohortes (A frente a B)
# en resultados, un extracto desidentificado con su informe de k-anonimato para compartir,
# el registro de eventos para minería de procesos y las figuras en SVG.
#
# Todo sale de `casekit.cohort` y `casekit.deidentify` (ver `docs/explore.md` y
# `docs/deidentification.md`). **Con sus datos:** cambie `ORIGEN` y ejecute todo.

# %%
# Lo único que hay que cambiar: de dónde salen los datos.
#   "sample"                    → la muestra incluida (500 casos sintéticos, a 30/09/2026)
#   "datos/equipo.xlsx"         → su libro (.xlsx, .xlsm, .ods) o una carpeta de CSV/Parquet
#   "casekit.db"                → su espacio de trabajo (o "postgresql+psycopg://usuario@servidor/bd")
ORIGEN = "sample"
FECHA = None  # None: 30/09/2026 para la muestra, hoy para sus datos; o una fecha, p. ej. "2026-10-31"
SALIDA = "salidas"  # carpeta del extracto, el registro de eventos y las figuras

# %%
from pathlib import Path

import polars as pl
from IPython.display import display
from scipy import stats

import casekit as ck
from casekit import charts, present
from casekit import cohort as co

LANG = "es"
carga = ck.open_caseload(ORIGEN, as_of=FECHA, lang=LANG)
resultado, fecha = carga.result, carga.as_of
salida = Path(SALIDA)
salida.mkdir(parents=True, exist_ok=True)
print(f"Datos: {carga.source} — a fecha {present.format_date(fecha, LANG)}")

# %% [markdown]
# ## 1. La cohorte
#
# Una fila por caso abierto hasta la fecha: programa, gestora, nivel de riesgo efectivo
# (tras las revisiones; vacío si aún no se ha evaluado), etapa actual, sexo, tramo de edad
# y el día en que entró en cada etapa según las reglas de casekit.

# %%
cohorte = co.cohort_frame(resultado, as_of=fecha)
print(f"{cohorte.height} casos")
cohorte.select("case_id", "program", "effective_tier", "current_stage", "opened_on", "entered_planning").head()

# %% [markdown]
# ## 2. Días hasta el plan, por nivel y programa
#
# `group_measure(..., measure="median_days", to_stage="planning")`: mediana de días desde la
# apertura hasta entrar en la etapa de plan, sobre los `n` casos que llegaron (de
# `n_cases`). Ojo: los casos que aún no tienen plan quedan fuera (censura por la derecha);
# una mediana baja en un grupo con pocos planes dice poco. Con `for_sharing=True` los grupos de
# 1 a 10 casos salen en blanco: es la tabla para publicar.

# %%
por_nivel = co.group_measure(cohorte, by="effective_tier", measure="median_days", to_stage="planning")
present.readable(por_nivel, LANG)

# %%
por_programa = co.group_measure(cohorte, by="program", measure="median_days", to_stage="planning")
present.readable(por_programa, LANG)

# %%
tabla = co.group_measure(
    cohorte, by=["effective_tier", "program"], measure="median_days", to_stage="planning", for_sharing=True
)
present.readable(tabla, LANG)

# %% [markdown]
# ### ¿Es la diferencia mayor que el azar?
#
# Los días hasta el plan son asimétricos: prueba de Kruskal–Wallis (rangos) entre niveles y
# entre programas, sobre los días de cada caso (`co.days_between`, los mismos valores cuya
# mediana da la tabla).

# %%
dias = cohorte.with_columns(co.days_between("planning")).filter(pl.col("days_to_planning").is_not_null())
for grupo in ("effective_tier", "program"):
    muestras = [g["days_to_planning"].to_numpy() for _, g in dias.group_by(grupo, maintain_order=True)]
    prueba = stats.kruskal(*muestras)
    print(f"{grupo}: H = {prueba.statistic:.2f}, p = {prueba.pvalue:.3f} ({len(muestras)} grupos, {dias.height} casos)")

# %% [markdown]
# ## 3. Cohorte A frente a B
#
# A: el programa con más casos; B: los demás. Se comparan las medidas de resultado (casos
# emparejados, % que mejoró, cambio medio) y el tiempo hasta el plan. Para compartir,
# `suppressed()` deja en blanco los recuentos pequeños de cada cohorte.

# %%
mayor = cohorte.group_by("program").len().sort(["len", "program"], descending=[True, False])["program"][0]
a = co.CohortFilter(programs=(mayor,)).apply(cohorte)
b = cohorte.filter(~pl.col("case_id").is_in(a["case_id"].implode()))
comparacion = co.compare_cohorts(a, b)
print(f"A: {mayor} ({a.height} casos) · B: el resto ({b.height} casos)")
present.readable(comparacion.suppressed().time_to_plan, LANG)

# %%
present.readable(comparacion.suppressed().outcomes, LANG)

# %%
figura_ab = charts.compare_chart(comparacion.outcomes, measure="pct_improved", lang=LANG)
figura_ab

# %% [markdown]
# ## 4. Un extracto desidentificado, con su informe de k-anonimato
#
# `deidentify` quita nombres y textos libres, cambia los identificadores por seudónimos con
# clave, desplaza todas las fechas de un caso las mismas semanas (los intervalos, como los
# días hasta el plan, se conservan) y generaliza o suprime hasta que cada combinación de
# tramo de edad, sexo, etnia, idioma, programa y año la comparten al menos 5 personas.
#
# La clave decide seudónimos y desplazamientos. Con la muestra se usa una clave fija (el
# ejemplo sale igual cada vez); con sus datos, una nueva al azar: guárdela aparte si va a
# enlazar extractos, y nunca con el extracto.

# %%
CLAVE_MUESTRA = "6a1f0e7c9b2d4c38a5e1f7b3d9c2e4a60b8d1f3e5c7a9b2d4f6e8a0c1e3b5d7f"
extracto = ck.deidentify(resultado, key=CLAVE_MUESTRA if ORIGEN == "sample" else None, as_of=fecha)
print(extracto.anonymity_line(LANG))
extracto.anonymity

# %%
extracto.explain_steps(LANG)

# %%
extracto.explain(LANG)

# %%
carpeta_extracto = extracto.write(salida / "extracto", lang=LANG)  # Parquet, una hoja por archivo
sorted(p.name for p in carpeta_extracto.iterdir())

# %% [markdown]
# ## 5. El registro de eventos para minería de procesos
#
# Un evento por hecho con fecha (apertura, cribado, evaluación, objetivos, contactos,
# transiciones, medidas, cierre) con las columnas de XES (`case:concept:name`,
# `concept:name`, `time:timestamp`), en CSV y Parquet para pm4py, ProM, Disco o Celonis.
# Se saca **del extracto desidentificado**: seudónimos y fechas desplazadas (los intervalos
# entre etapas se conservan), así que el registro puede salir del equipo como el extracto.

# %%
eventos = ck.events(extracto.data)
ck.write_event_log(eventos, salida / "registro_eventos.csv")
ck.write_event_log(eventos, salida / "registro_eventos.parquet")
print(f"{eventos.height} eventos de {eventos['case_id'].n_unique()} casos")
ck.to_process_mining(eventos).head()

# %% [markdown]
# pm4py (licencia AGPL-3.0) no es una dependencia de casekit: viene con
# `pip install -e ".[notebooks]"`. Sin él, esta celda lo dice y sigue.

# %%
import os

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")  # sin barras de progreso en el cuaderno
try:
    import pm4py
except ImportError:
    pm4py = None
    print('pm4py no está instalado: pip install -e ".[notebooks]". El registro ya está en CSV y Parquet.')
if pm4py is not None:
    registro = pm4py.format_dataframe(
        ck.to_process_mining(eventos).to_pandas(),
        case_id="case:concept:name",
        activity_key="concept:name",
        timestamp_key="time:timestamp",
    )
    dfg, inicios, finales = pm4py.discover_dfg(registro)
    pm4py.write_xes(registro, str(salida / "registro_eventos.xes"))
    pasos = pl.DataFrame(
        {"de": [desde for desde, _ in dfg], "a": [hasta for _, hasta in dfg], "veces": list(dfg.values())}
    )
    display(pasos.sort("veces", descending=True).head(15))

# %% [markdown]
# ## 6. Las figuras, en SVG
#
# Para el artículo: días hasta el plan por nivel y por programa, y A frente a B. SVG se
# escala sin perder calidad; `charts.save_chart` también escribe PNG.

# %%
figura_nivel = charts.cohort_chart(por_nivel, by="effective_tier", measure="median_days", lang=LANG)
figura_programa = charts.cohort_chart(por_programa, by="program", measure="median_days", lang=LANG)
figuras = {"dias_plan_nivel": figura_nivel, "dias_plan_programa": figura_programa, "a_frente_b": figura_ab}
for nombre, figura in figuras.items():
    charts.save_chart(figura, salida / f"{nombre}.svg", lang=LANG)
display(figura_nivel, figura_programa)
sorted(p.name for p in salida.glob("*.svg"))
