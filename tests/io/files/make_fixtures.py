"""Regenerate the reader test fixtures in this folder.

Run from the repository root: ``python tests/io/files/make_fixtures.py``.

The CSV files are written byte by byte here too, so their encodings (cp1252, UTF-8
with BOM) are explicit. ``workbook.ods`` needs odfpy (``pip install odfpy``), which
is not a casekit dependency: the generated file is committed, so the tests never need
odfpy themselves.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import xlsxwriter

HERE = Path(__file__).parent


def write_csvs() -> None:
    """Spanish CSVs (cp1252, ``;``, decimal comma, day-first dates) and English/tab ones."""
    es = HERE / "csv_es"
    es.mkdir(exist_ok=True)
    casos = (
        "id_caso;ID Cliente;Nombre Cliente;Fecha Apertura;fecha_cierre;motivo_cierre;Gestor Caso;Origen-Derivación;"
        "SEXO;Teléfono\r\n"
        "007;C-1;José Núñez;01/03/2026;;;Ana Peña;Atención primaria;Hombre;600 000 000\r\n"
        "008;C-2;María Gómez;15.03.2026;20-04-2026;Objetivos cumplidos;Ana Peña;hospital;MUJER;\r\n"
        ";;;;;;;;;\r\n"
        "009;C-3;Iñaki;2/4/2026;;;Luis;iniciativa propia;desconocido;\r\n"
    )
    (es / "casos.csv").write_bytes(casos.encode("cp1252"))
    evaluaciones = (
        "id_caso;fecha_evaluacion;urgencias_6m;imc;consumo_tabaco;vivienda;ejercicio_min_semana;implicación salud\r\n"
        "007;05/03/2026;2;27,5;Sí;En riesgo;1.200;3\r\n"
        "008;16/03/2026;0;31;no;estable;90;4,0\r\n"
    )
    (es / "evaluaciones.csv").write_bytes(evaluaciones.encode("cp1252"))
    bom = (
        "Case ID,Opened On,Client Name,Sex,Referral Source,Program\n"
        '"A-1",2026-03-01,"Smith, Jane",female,Primary care,"Heart, lungs"\n'
        "A-2,2026-03-02T10:00,Bob,Male,self,\n"
    )
    (HERE / "cases_utf8_bom.csv").write_bytes(b"\xef\xbb\xbf" + bom.encode("utf-8"))
    tab = "case_id\topened_on\tclosed_on\tclose_reason\nT1\t2026-01-05\t2026-02-01\tgoals_met\nT2\t2026-01-06\t\t\n"
    (HERE / "export_tab.txt").write_bytes(tab.encode("utf-8"))
    us = "case_id,opened_on,birth_date\nU1,03/01/2026,12/31/1960\nU2,3/15/2026,\n"
    (HERE / "cases_month_first.csv").write_bytes(us.encode("utf-8"))


def write_xlsx() -> None:
    """A workbook with real date cells, a numeric id, booleans, Spanish labels, extras."""
    wb = xlsxwriter.Workbook(HERE / "workbook.xlsx")
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    wb.add_worksheet("Instrucciones").write(0, 0, "Rellene una fila por caso.")
    ws = wb.add_worksheet("Casos")
    ws.write_row(0, 0, ["ID Caso", "Fecha Apertura", "Sexo", "Origen Derivación", "Notas internas"])
    ws.write_number(1, 0, 7.0)
    ws.write_datetime(1, 1, dt.datetime(2026, 3, 1), date)
    ws.write_row(1, 2, ["Mujer", "Atención primaria", "llamar lunes"])
    ws.write_string(2, 0, "007")
    ws.write_datetime(2, 1, dt.datetime(2026, 3, 2, 9, 30), date)
    ws.write_row(2, 2, ["male", "Insurer"])
    ws.write_number(2, 4, 12.5)
    ws.write_string(4, 0, "010")  # row 4 left empty on purpose
    ws.write_string(4, 1, "15/03/2026")
    ws = wb.add_worksheet("Cribados")
    ws.write_row(0, 0, ["id_caso", "fecha_cribado", "historial_revisado", "decision", "reclamaciones_12m"])
    ws.write_row(1, 0, ["7"])
    ws.write_datetime(1, 1, dt.datetime(2026, 3, 3), date)
    ws.write_boolean(1, 2, True)
    ws.write_row(1, 3, ["Derivar a evaluación"])
    ws.write_number(1, 4, 2)
    ws.write_row(2, 0, ["007", "04/03/2026", "x", "no elegible"])
    ws.write_number(2, 4, 0)
    ws.write_row(3, 0, ["010", "2026-03-16"])
    ws.write_row(3, 3, ["REFER_TO_ASSESSMENT"])
    ws = wb.add_worksheet("Evaluaciones")
    ws.write_row(0, 0, ["id_caso", "fecha_evaluacion", "imc", "consumo_tabaco", "tension_sistolica"])
    ws.write_row(1, 0, ["7"])
    ws.write_datetime(1, 1, dt.datetime(2026, 3, 10), date)
    ws.write_number(1, 2, 27.5)
    ws.write_boolean(1, 3, False)
    ws.write_number(1, 4, 135)
    ws = wb.add_worksheet("Hoja1")
    ws.write(0, 0, "scratch")
    lists = wb.add_worksheet("_lists")
    lists.write_column(0, 0, ["Mujer", "Hombre"])
    lists.hide()
    wb.close()


def write_broken_xlsx() -> None:
    """A workbook whose cells fail to parse at known rows and columns."""
    wb = xlsxwriter.Workbook(HERE / "broken.xlsx")
    ws = wb.add_worksheet("cases")
    ws.write_row(0, 0, ["case_id", "opened_on", "sex", "referral_source"])
    ws.write_row(1, 0, ["B1", "2026-03-01", "female", "hospital"])
    ws.write_row(2, 0, ["B2", "31/02/2026", "femenino", "hospital"])
    ws.write_row(4, 0, ["B3", "ayer", "male", "friend"])
    ws = wb.add_worksheet("assessments")
    ws.write_row(0, 0, ["case_id", "assessed_on", "phq9", "bmi", "tobacco_use", "housing"])
    ws.write_row(1, 0, ["B1", "2026-03-05", "7.5", "veinte", "quizás", "stable"])
    ws.write_row(2, 0, ["B2", "2026-03-06", "abc", "22,5", "sí", "castle"])
    wb.close()


def write_parquet() -> None:
    """A folder of Parquet files: typed columns kept, text columns parsed."""
    folder = HERE / "parquet"
    folder.mkdir(exist_ok=True)
    pl.DataFrame(
        {
            "case_id": ["P1", "P2", "007"],
            "opened_on": [dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 3)],
            "closed_on": ["2026-04-01", None, "bad"],
            "sex": ["Mujer", "male", None],
            "site": ["north", "south", None],
        }
    ).write_parquet(folder / "cases.parquet")
    pl.DataFrame(
        {
            "id_caso": ["P1", "P2"],
            "assessed_on": [dt.datetime(2026, 3, 5, 10, 0), dt.datetime(2026, 3, 6)],
            "phq9": [12, 3],
            "bmi": [27, 31],
            "tobacco_use": [True, False],
            "ed_visits_6m": [2.0, 1.5],
        }
    ).write_parquet(folder / "evaluaciones.parquet")
    (folder / "README.md").write_text("Not a sheet: ignored by the reader.\n")


def write_ods() -> None:
    """A small ODS workbook (needs odfpy)."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()

    def cell(value: object) -> TableCell:
        if value is None:
            return TableCell()
        if isinstance(value, bool):
            tc = TableCell(valuetype="boolean", booleanvalue=str(value).lower())
        elif isinstance(value, int | float):
            tc = TableCell(valuetype="float", value=value)
        elif isinstance(value, dt.date):
            tc = TableCell(valuetype="date", datevalue=value.isoformat())
        else:
            tc = TableCell(valuetype="string")
        tc.addElement(P(text=str(value)))
        return tc

    def sheet(name: str, rows: list[list[object]]) -> None:
        table = Table(name=name)
        for values in rows:
            tr = TableRow()
            for value in values:
                tr.addElement(cell(value))
            table.addElement(tr)
        doc.spreadsheet.addElement(table)

    sheet(
        "casos",
        [
            ["id_caso", "fecha_apertura", "sexo", "programa"],
            [7, dt.date(2026, 3, 1), "Mujer", "Crónicos"],
            ["007", dt.datetime(2026, 3, 2, 10, 30), "hombre", None],
            [None, None, None, None],
            ["011", "05/03/2026", "otro", "Salud mental"],
        ],
    )
    sheet(
        "contactos",
        [
            ["id_contacto", "id_caso", "fecha_contacto", "tipo", "con_quien", "estado"],
            ["K1", 7, dt.date(2026, 3, 8), "Visita domiciliaria", "Cliente", "Realizado"],
            ["K2", "007", dt.date(2026, 3, 9), "phone_call", "red de apoyo", "no acudió"],
        ],
    )
    doc.save(str(HERE / "workbook.ods"))


if __name__ == "__main__":
    write_csvs()
    write_xlsx()
    write_broken_xlsx()
    write_parquet()
    write_ods()
