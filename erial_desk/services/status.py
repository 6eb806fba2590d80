"""Reads the window needs: the status line in one call (who, which shift, sync, printer), the
office's operators for the login list, the drawer's formula; and the language preference."""

from __future__ import annotations

from sqlalchemy import text

from .base import DeskBase
from .results import CounterStatus, DrawerFormula, OpenShift, OperatorChoice
from .sync_service import SyncMixin


class StatusMixin(SyncMixin):
    def counter_status(self) -> CounterStatus:
        """A local read (fast): nothing here waits on central or the printer."""
        from erial_desk.domain.entries import terminal_code

        with self._reading() as conn:
            shift = conn.execute(
                text("SELECT shift_id, operator, opened_at FROM shifts WHERE closed_seq IS NULL")
            ).fetchone()
            jobs: dict[str, int] = dict(
                conn.execute(
                    text(
                        "SELECT state, COUNT(*) FROM print_jobs"
                        " WHERE state IN ('queued', 'printing', 'failed') GROUP BY state"
                    )
                ).fetchall()
            )
        return CounterStatus(
            office_id=self.office.office_id,
            office_name_en=self.office.name_en,
            office_name_ar=self.office.name_ar,
            terminal_code=terminal_code(self.terminal_id),
            operator=self._session,
            shift=None if shift is None else OpenShift(shift[0], shift[1], shift[2]),
            sync=self.sync_status(),
            print_waiting=int(jobs.get("queued", 0)) + int(jobs.get("printing", 0)),
            print_failed=int(jobs.get("failed", 0)),
            printer=self.settings.printer_connection,
        )


class OperatorListMixin(DeskBase):
    def office_operators(self) -> list[OperatorChoice]:
        """The office's active operators, for the login screen's list (a local read)."""
        with self._reading() as conn:
            rows = conn.execute(
                text(
                    "SELECT operator_id, name_en, name_ar, role FROM operators"
                    " WHERE active AND office_id = :office ORDER BY name_en"
                ),
                {"office": self.office.office_id},
            ).fetchall()
        return [OperatorChoice(*row) for row in rows]


class DrawerMixin(DeskBase):
    def drawer_formula(self) -> DrawerFormula:
        """The open shift's drawer, its parts shown to the clerk before the count."""
        shift = self._require_own_shift()
        with self._reading() as conn:
            row = conn.execute(
                text(
                    "SELECT s.float_total,"
                    " COALESCE(SUM(CASE WHEN t.cash_effect > 0 THEN t.cash_effect END), 0),"
                    " COALESCE(-SUM(CASE WHEN t.cash_effect < 0 THEN t.cash_effect END), 0)"
                    " FROM shifts s LEFT JOIN transactions t ON t.shift_id = s.shift_id"
                    " WHERE s.shift_id = :id GROUP BY s.float_total"
                ),
                {"id": shift},
            ).one()
        return DrawerFormula(
            shift, int(row[0]), int(row[1]), int(row[2]), blind=self.policy.blind_close
        )


class PreferencesMixin(DeskBase):
    def set_language(self, language: str) -> None:
        """The counter's language from now on (kept in the settings for the next start)."""
        from dataclasses import replace

        from erial_desk.domain.words import LANGUAGES

        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        self.settings = replace(self.settings, language=language)
        self.settings.save(self.data_dir)
