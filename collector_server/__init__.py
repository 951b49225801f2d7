"""minecheck collector: asset ledger, agent API and the bureau's dashboard (Django)."""
