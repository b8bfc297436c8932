"""Stage 4: sector benchmark cells with disclosure control, regions, the cost reference, the
published aggregates (stakeholders, intervals), and the release store's frozen tables."""
