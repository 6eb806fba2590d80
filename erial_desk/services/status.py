"""Reads the window needs: the status line in one call (who, which shift, sync, printer), the
office's operators for the login list, the drawer's formula; and the language preference."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from erial_desk.domain.errors import ConfigError
from erial_desk.domain.policy import Action

from .parts import Guards, Place, Reader, Reference, SessionHolder
from .printing_service import PrintingUseCases
from .results import CounterStatus, DrawerFormula, OpenShift, OperatorChoice
from .sync_service import SyncUseCases


class StatusUseCases:
    """Reads the window needs: the status line, the login list, the drawer's formula."""

    def __init__(
        self,
        guards: Guards,
        reader: Reader,
        reference: Reference,
        place: Place,
        session: SessionHolder,
        sync: SyncUseCases,
        terminal_id: str,
    ) -> None:
        self._guards = guards
        self._reader = reader
        self._reference = reference
        self._place = place
        self._session = session
        self._sync = sync
        self._terminal_id = terminal_id

    def counter_status(self) -> CounterStatus:
        """A local read (fast): nothing here waits on central or the printer."""
        from erial_desk.domain.entries import terminal_code

        with self._reader.connect() as conn:
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
        office = self._reference.office
        return CounterStatus(
            office_id=office.office_id,
            office_name_en=office.name_en,
            office_name_ar=office.name_ar,
            terminal_code=terminal_code(self._terminal_id),
            operator=self._session.current,
            shift=None if shift is None else OpenShift(shift[0], shift[1], shift[2]),
            sync=self._sync.sync_status(),
            print_waiting=int(jobs.get("queued", 0)) + int(jobs.get("printing", 0)),
            print_failed=int(jobs.get("failed", 0)),
            printer=self._place.settings.printer_connection,
        )

    def office_operators(self) -> list[OperatorChoice]:
        """The office's active operators, for the login screen's list (a local read)."""
        with self._reader.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT operator_id, name_en, name_ar, role FROM operators"
                    " WHERE active AND office_id = :office ORDER BY name_en"
                ),
                {"office": self._reference.office.office_id},
            ).fetchall()
        return [OperatorChoice(*row) for row in rows]

    def drawer_formula(self) -> DrawerFormula:
        """The open shift's drawer, its parts shown to the clerk before the count."""
        shift = self._guards.own_shift()
        with self._reader.connect() as conn:
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
            shift,
            int(row[0]),
            int(row[1]),
            int(row[2]),
            blind=self._reference.policy.blind_close,
        )


class PreferenceUseCases:
    """The counter's settings: language, display digits, printer, central's address."""

    def __init__(self, guards: Guards, place: Place, printing: PrintingUseCases) -> None:
        self._guards = guards
        self._place = place
        self._printing = printing

    def set_language(self, language: str) -> None:
        """The counter's language from now on (kept in the settings for the next start)."""
        from erial_desk.domain.words import LANGUAGES

        if language not in LANGUAGES:
            raise ConfigError("config.invalid_setting", name="language", reason="ar or en")
        self._save_settings(language=language)

    def change_display_digits(self, digits: str) -> None:
        """Western or Arabic-Indic digits on screen in Arabic (a supervisor's choice)."""
        from erial_desk.config import DISPLAY_DIGITS

        self._guards.allow(Action.APPROVE)
        if digits not in DISPLAY_DIGITS:
            raise ConfigError(
                "config.invalid_setting", name="display_digits", reason="western or arabic-indic"
            )
        self._save_settings(display_digits=digits)

    def change_printer(self, connection: str, target: str, profile: str, drawer: str) -> str:
        """A supervisor sets the receipt printer; refused, naming what is wrong, before
        anything is saved. Returns the printer's description."""
        from erial_desk.printing.connections import PrintError, make_output

        self._guards.allow(Action.APPROVE)  # settings belong to the office's supervisors
        if drawer not in ("2", "5", "none"):
            raise ConfigError("config.invalid_setting", name="printer_drawer", reason="2, 5, none")
        try:
            output = make_output(
                connection,
                target,
                profile,
                default_pdf_dir=self._place.data_dir / "printouts",
                drawer_pin=int(drawer) if drawer != "none" else None,
            )
        except PrintError as exc:
            raise ConfigError("config.invalid_setting", name="printer", reason=exc.detail) from exc
        self._save_settings(
            printer_connection=connection.strip().lower(),
            printer_target=target.strip(),
            printer_profile=profile.strip(),
            printer_drawer=drawer,
        )
        self._printing.use_printer(None)  # built again from the new settings when next used
        return output.description

    def change_central(self, url: str, ca_bundle: str) -> None:
        """A supervisor sets central's address and the municipality's CA bundle, if any."""
        from erial_desk.sync.client import check_server_url

        self._guards.allow(Action.APPROVE)
        if ca_bundle and not Path(ca_bundle).is_file():
            raise ConfigError("config.invalid_setting", name="ca_bundle", reason="no such file")
        self._save_settings(central_url=check_server_url(url), ca_bundle=ca_bundle)

    def _save_settings(self, **changes: str) -> None:
        self._place.save(**changes)
