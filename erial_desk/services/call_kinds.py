"""The facade's calls by how long they may take, which the window's operations runner relies on.

Fast and slow calls (the window runs every call off the GUI thread all the same):

- ``FAST_CALLS`` read or write this desk's own file only: milliseconds (a login's PIN hash is
  the slowest of them, a fraction of a second).
- ``SLOW_CALLS`` may wait on central or on the printer: each takes a keyword ``deadline``
  (``domain.deadline.Deadline``), bounding each wait and cancellable from another thread, with
  no half-done state left behind (an entry is journaled whole or not at all; a wallet debit the
  desk gave up on is cancelled at central by the next sync).
- ``LONG_CALLS`` work through the whole journal, write files, or wait on things a deadline
  does not stop (the sync worker's end): run them with a progress message, not a deadline.

A void or a customer's PIN reset takes a deadline up to the moment it asks central to reverse a
top-up or set the PIN; that request is not cancelled (central undoes neither on a desk's word)
and ends by its own timeout.
"""

from __future__ import annotations

FAST_CALLS = frozenset(
    {
        "login",
        "logout",
        "current_operator",
        "refresh_operators",
        "open_shift",
        "expected_cash",
        "cash_drop",
        "close_shift",
        "shift_summary",
        "find_subscribers",
        "known_balance",
        "record_reprint",
        "print_queue",
        "recover_print_queue",
        "printer",
        "use_printer",
        "sync_status",
        "flagged_entries",
        "load_cached_reference_data",
        "start_sync",
        "wake_sync",
        "counter_status",
        "office_operators",
        "drawer_formula",
        "set_language",
        "change_display_digits",
        "change_printer",
        "change_central",
        "account_transactions",
        "wallet_view",
        "shift_transactions",
        "find_receipt",
        "last_receipt",
        "outbox_counts",
        "entries",
        "office",
        "policy",
        "catalogue",
        "settings",
        "data_dir",
        "bills_cached_at",
        "money_stopped",
        "may_open_console",
        "terminal_shifts",
        "sync_problems",
        "resolve_problem",
        "office_staff",
        "may_merge_duplicates",
        "merge_duplicate",  # journaled here, sent with the next sync
    }
)
SLOW_CALLS = frozenset(
    {
        "find_bills",
        "pay_bill",
        "top_up",
        "void",
        "register_subscriber",
        "subscriber",
        "sync_once",
        "push_pending",
        "pull",
        "print_pending",
        "retry_print",
        "retry_failed",
        "print_job_to_pdf",
        "print_receipt",
        "print_shift_report",
        "print_statement",
        "print_permit_slip",
        "print_test_page",
        "statement_pdf",
        "reset_customer_pin",
        "online_payment",
        "check_new_subscriber",
        "office_day",
        "approvals",
        "day_report_csv",
        "day_report_csv_file",
        "day_report_pdf",
        "reprint_z_report",
        "lock_operator",
        "unlock_operator",
        "reset_operator_pin",
        "suspected_duplicates",
    }
)
LONG_CALLS = frozenset(
    {
        "update_subscriber",  # asks central for a subscriber not in the local directory
        "verify_journal",
        "check_journal",
        "rebuild",
        "export_journal",
        "shift_totals_pdf",
        "shift_report_pdf",
        "stop_sync",
        "close",
        "init_for_central",
        "enroll",
        "open",
    }
)
