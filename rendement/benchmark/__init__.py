"""Stage 4: sector benchmark cells with disclosure control, regions, the cost reference."""
