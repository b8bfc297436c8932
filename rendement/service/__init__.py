"""The upload service: organisations deliver exports and fetch their own reports over HTTP.

`rendement serve` runs `create_app(home)` (Starlette) on uvicorn. The service only receives files
into `inbox/<organisatie>/` and serves what the pipeline already published; the Dagster inbox
sensor does all processing. Kept free of heavy imports so that `rendement.registry` and the CLI
can use `rendement.service.tokens` without loading Starlette.
"""
