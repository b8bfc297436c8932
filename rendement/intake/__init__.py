"""Stage 1: taking uploads in: reading, screening, validating, accepting into the lake; the
pre-flight check, the delivery status and the validation reports."""
