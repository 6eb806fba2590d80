"""Everything that talks to central: credentials (keyring), enrolment, push, pull, status."""
