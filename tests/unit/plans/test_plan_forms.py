"""Post-session questionnaires: answers are checked against the template version they were given for."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidInput
from services.plans.domain.forms import validate_answers

GOOD = {"pain_now": 3, "effort": 7, "felt": "better", "notes": "knee felt stable"}


def field_of(answers: object, key: str = "post_session", version: int = 1) -> str:
    with pytest.raises(InvalidInput) as raised:
        validate_answers(key, version, answers)
    return raised.value.field


def test_a_complete_answer_is_kept_as_given() -> None:
    assert validate_answers("post_session", 1, GOOD) == GOOD


def test_optional_questions_may_be_left_out() -> None:
    answers = {k: v for k, v in GOOD.items() if k != "notes"}
    assert validate_answers("post_session", 1, answers) == answers


def test_an_unknown_template_or_version_is_refused() -> None:
    assert field_of(GOOD, "intake") == "templateKey"
    assert field_of(GOOD, version=2) == "templateKey"


def test_answers_must_be_an_object() -> None:
    assert field_of(["pain_now", 3]) == "answers"


def test_a_required_question_left_out_is_named() -> None:
    assert field_of({k: v for k, v in GOOD.items() if k != "effort"}) == "answers.effort"


def test_a_question_the_template_does_not_ask_is_named() -> None:
    assert field_of({**GOOD, "mood": "fine"}) == "answers.mood"


@pytest.mark.parametrize("value", [11, -1, 2.5, "3", True])
def test_a_scale_takes_whole_numbers_in_its_range(value: object) -> None:
    assert field_of({**GOOD, "pain_now": value}) == "answers.pain_now"


def test_effort_starts_at_one_pain_at_zero() -> None:
    assert field_of({**GOOD, "effort": 0}) == "answers.effort"
    assert validate_answers("post_session", 1, {**GOOD, "pain_now": 0})["pain_now"] == 0


def test_a_choice_must_be_one_of_its_options() -> None:
    assert field_of({**GOOD, "felt": "great"}) == "answers.felt"


def test_free_text_is_bounded() -> None:
    assert field_of({**GOOD, "notes": "x" * 1001}) == "answers.notes"
    assert field_of({**GOOD, "notes": 42}) == "answers.notes"
