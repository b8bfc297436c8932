"""Storage and shared services every stage stands on: the data home, the lake, the warehouse,
the audit log, pseudonymisation, the organisation register and tokens, Dutch formatting."""
