"""SQLite storage of the desk: the signed append-only journal and the tables derived from it."""
