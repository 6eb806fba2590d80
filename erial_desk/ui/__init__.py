"""PySide6 screens; they call only the Desk facade, through one background task runner."""
