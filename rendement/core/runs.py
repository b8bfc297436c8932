"""What a Dagster run for an organisation is called and tagged.

Shared by the Dagster definitions (`pipelines/`, `assets/`) and the upload service, which asks
Dagster for a run over its GraphQL API without importing the definitions (the service sits below
them in the layers). Plain names only: no Dagster import here.
"""

PROCESS_JOB = "verwerk_leveringen"
ORGANISATIONS = "organisaties"  # the dynamic partitions: one per organisation

ORGANISATION_TAG = "rendement/organisatie"
FILES_TAG = "rendement/bestanden"
PARTITION_TAG = "dagster/partition"  # Dagster's own tag for the partition a run is for

__all__ = ["FILES_TAG", "ORGANISATIONS", "ORGANISATION_TAG", "PARTITION_TAG", "PROCESS_JOB"]
