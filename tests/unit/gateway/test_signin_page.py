"""The sign-in failure page speaks the browser's language and still names the exact problem for support."""

from __future__ import annotations

from services.gateway.signin_page import failure_page, language_of


def test_the_browsers_first_language_we_have_wins() -> None:
    assert language_of("ru-RU,ru;q=0.9,en-US;q=0.8") == "ru"
    assert language_of("de-DE,de;q=0.9,ru;q=0.5,en;q=0.7") == "en"
    assert language_of("fr;q=0.9,ru;q=0.95") == "ru"
    assert language_of("") == "en" and language_of("q=;;,") == "en"


def test_a_russian_browser_reads_russian_and_the_problem_is_escaped() -> None:
    page = failure_page(400, "state: <this browser> started no sign-in", "ru").decode()
    assert '<html lang="ru">' in page and "Не удалось войти" in page and "Начните вход заново" in page
    assert "Вернуться ко входу" in page and "Sign-in failed" not in page
    assert '<span id="problem">state: &lt;this browser&gt; started no sign-in</span>' in page


def test_each_status_says_what_to_do() -> None:
    assert "Try again in a minute" in failure_page(503, "provider away", "en").decode()
    assert "did not accept" in failure_page(401, "refused", "en-GB").decode()
    assert "not set up" in failure_page(404, "no provider", "en").decode()
    assert "Start signing in again" in failure_page(418, "odd", "en").decode()  # an unlisted 4xx
