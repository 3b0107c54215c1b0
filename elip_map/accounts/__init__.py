"""Accounts and roles: staff and partner users, password hashing, server-side sessions, login limits."""
