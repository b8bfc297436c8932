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


def too_many(seconds: int) -> ServiceError:
    """Refused before any password or token is checked: too many failures lately."""
    minutes = max(1, -(-int(seconds) // 60))
    return ServiceError(
        429,
        "te_veel_pogingen",
        f"Te veel mislukte aanmeldpogingen. Probeer het over {minutes} "
        f"{'minuut' if minutes == 1 else 'minuten'} opnieuw.",
        retry_after=max(1, int(seconds)),
    )
