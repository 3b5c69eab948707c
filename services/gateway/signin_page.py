"""The page a browser sees when signing in fails, in the browser's language (English or Russian, as the web app)."""

from __future__ import annotations

import html

# What a person can do about it, by status; the detail under it names the problem exactly, for support.
TEXT = {
    "en": {
        "title": "Sign-in failed",
        "back": "Back to sign-in",
        "details": "Details for your clinic's support",
        400: "This sign-in could not be finished. Start signing in again.",
        401: "Your clinic's sign-in did not accept this sign-in.",
        404: "Signing in through your clinic is not set up on this server.",
        503: "Your clinic's sign-in service cannot be reached. Try again in a minute.",
    },
    "ru": {
        "title": "Не удалось войти",
        "back": "Вернуться ко входу",
        "details": "Подробности для поддержки клиники",
        400: "Вход не удалось завершить. Начните вход заново.",
        401: "Служба входа клиники не приняла этот вход.",
        404: "Вход через клинику на этом сервере не настроен.",
        503: "Служба входа клиники недоступна. Повторите попытку через минуту.",
    },
}


def language_of(accept_language: str) -> str:
    """The first of the browser's languages we have ("ru-RU,ru;q=0.9,en" → ru), else English."""
    ranked = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    return next((lang for _, _, lang in sorted(ranked) if lang in TEXT), "en")


def failure_page(status: int, detail: str, accept_language: str) -> bytes:
    language = language_of(accept_language)
    text = TEXT[language]
    advice = text.get(status) or text[400 if status < 500 else 503]
    return (
        f"<!doctype html><html lang=\"{language}\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{text['title']}</title></head><body><main><h1>{text['title']}</h1><p>{advice}</p>"
        f"<p>{text['details']}: <span id=\"problem\">{html.escape(detail)}</span></p>"
        f"<p><a href=\"/\">{text['back']}</a></p></main></body></html>"
    ).encode()
