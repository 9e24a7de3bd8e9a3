"""Memberships: programs and plans a league offers, and the terms players hold."""
