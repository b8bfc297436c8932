"""The upload service: organisations deliver exports and fetch their own reports over HTTP.

`rendement serve` runs `create_app(home)` (Starlette) on uvicorn. The service only receives files
into `inbox/<organisatie>/` and serves what the pipeline already published; the Dagster inbox
sensor does all processing. Its API tokens are hashed and checked by `rendement.core.tokens`,
which the register and the CLI use without loading Starlette.
"""
