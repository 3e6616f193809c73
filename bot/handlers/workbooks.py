"""What the spreadsheet files share, without loading openpyxl: their content type, how their
numbers show, and what the summary table is called. The workbooks themselves
(``export_xlsx``, ``template_xlsx``) load openpyxl only when one is written or read, so start-up
never pays for it."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.year import ResultsStage
from bot.i18n import N_, _
from bot.services.exports import ExportTable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STAGES = {
    ResultsStage.OPEN: N_("results not published yet"),
    ResultsStage.PROVISIONAL: N_("provisional results"),
    ResultsStage.FINAL: N_("final results"),
}


def number_format(step: Decimal) -> str:
    """The cells' format: as many decimals as the step (``0.0`` for 0.5, ``0`` for 1)."""
    exponent = step.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "0." + "0" * decimals if decimals else "0"


def summary_file_name(table: ExportTable) -> str:
    """``bang-tong-hop-diem-tw-thaibinh-2021.xlsx`` (in the current language)."""
    stem = _("score-summary")  # outside the f-string, where the catalog's extraction sees it
    return f"{stem}-{table.bloc_code}-{table.year}.xlsx"


def stage_name(table: ExportTable) -> str:
    """How far the results are: not published, provisional or final."""
    return _(STAGES[table.standings.progress.stage])
