"""One exception for every refusal, carrying the HTTP status and a Dutch message."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the service refuses: `status` for HTTP, `code` for machines and the audit log,
    `message` in plain Dutch for the person who sent it."""

    def __init__(self, status: int, code: str, message: str, **details):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def unauthorised(message: str | None = None) -> ServiceError:
    return ServiceError(
        401,
        "token_ontbreekt_of_onjuist",
        message
        or "U bent niet aangemeld: het token ontbreekt, is onjuist of is ingetrokken. Stuur uw "
        "token mee als 'Authorization: Bearer <token>'; vraag zo nodig een nieuw token aan.",
    )


def forbidden(message: str | None = None) -> ServiceError:
    return ServiceError(
        403,
        "geen_toegang",
        message
        or "Uw token geeft geen toegang tot dit onderdeel: u ziet alleen uw eigen gegevens.",
    )


def not_found(message: str | None = None) -> ServiceError:
    return ServiceError(404, "niet_gevonden", message or "Dit adres of bestand bestaat niet.")


def bad_request(message: str, code: str = "ongeldig_verzoek") -> ServiceError:
    return ServiceError(400, code, message)
