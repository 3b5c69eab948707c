"""Post-session questionnaires: versioned templates and the validation of answers against them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.common.errors import InvalidInput


@dataclass(frozen=True)
class Question:
    key: str
    kind: str  # "scale" (integer in [low, high]), "choice" (one of options), "text"
    required: bool = True
    low: int = 0
    high: int = 10
    options: tuple[str, ...] = ()
    max_length: int = 1000


# Changing a question means a new version: answers are always read against the version they were given for.
TEMPLATES: dict[tuple[str, int], tuple[Question, ...]] = {
    ("post_session", 1): (
        Question("pain_now", "scale", low=0, high=10),
        Question("effort", "scale", low=1, high=10),
        Question("felt", "choice", options=("better", "same", "worse")),
        Question("notes", "text", required=False),
    ),
}


def validate_answers(template_key: str, version: int, answers: Any) -> dict[str, Any]:
    questions = TEMPLATES.get((template_key, version))
    if questions is None:
        raise InvalidInput("templateKey", f"no form template {template_key!r} version {version}")
    if not isinstance(answers, dict):
        raise InvalidInput("answers", "must be a JSON object")
    known = {q.key for q in questions}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise InvalidInput(f"answers.{unknown[0]}", "is not a question of this template")
    for question in questions:
        field = f"answers.{question.key}"
        if question.key not in answers:
            if question.required:
                raise InvalidInput(field, "is required")
            continue
        value = answers[question.key]
        if question.kind == "scale":
            if isinstance(value, bool) or not isinstance(value, int) or not question.low <= value <= question.high:
                raise InvalidInput(field, f"must be an integer from {question.low} to {question.high}")
        elif question.kind == "choice":
            if value not in question.options:
                raise InvalidInput(field, f"must be one of {', '.join(question.options)}")
        elif not isinstance(value, str) or len(value) > question.max_length:
            raise InvalidInput(field, f"must be text of at most {question.max_length} characters")
    return dict(answers)
