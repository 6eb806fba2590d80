"""Small widgets the screens share: PIN pad, denomination count, amount field."""
