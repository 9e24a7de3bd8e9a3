"""Payments: orders paid through Stripe Checkout (or the built-in test checkout),
the webhook that confirms them, refunds and reconciliation."""
