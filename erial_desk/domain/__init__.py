"""Pure domain: money, identifiers, policy, journal entry types, canonical encoding, errors.

Nothing here performs I/O or imports anything of ours outside this package.
"""
