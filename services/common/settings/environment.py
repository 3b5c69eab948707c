"""Environment variables read through pydantic-settings: one section model per prefix, secrets from files, every problem collected."""

from __future__ import annotations

import functools
import typing
from dataclasses import dataclass
from typing import Any, Mapping, NamedTuple, Self

from pydantic import ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict


class Problem(NamedTuple):
    """One thing wrong with the configuration, and the variables an operator would change to fix it."""

    variables: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return f"{' and '.join(self.variables)}: {self.message}" if self.variables else self.message


class SettingsError(ValueError):
    """The configuration is unusable; `problems` lists every variable that is wrong and why, one line each."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class FromFile:
    """Marks a secret field: its variable X may instead be X_FILE, naming a file that holds it (a mounted secret)."""


FROM_FILE = FromFile()


@dataclass(frozen=True)
class FileTrouble:
    """What stands in a secret's place when X_FILE cannot give it; the field's validator names it as the error."""

    message: str


def refuse_file_trouble(raw: Any) -> Any:
    """The first validator of every secret: a file that could not be read is that variable's error."""
    if isinstance(raw, FileTrouble):
        raise ValueError(raw.message)
    return raw


class _MappingSource(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping (load_settings' `env`), not os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, Any]) -> None:
        self._given = env
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, Any]:
        # An empty variable is an unset one (env files write X=).
        # Variable names are case-sensitive like the environment: only the upper-case spelling is ours.
        return {name.lower(): value for name, value in self._given.items() if value != "" and name.isupper()}


class Section(BaseSettings):
    """A group of variables sharing one prefix: the field `port` of prefix MOMENTUM_DB_ is MOMENTUM_DB_PORT."""

    # The defaults are the dataclasses' own values, already what the code uses: only what the environment says is checked.
    model_config = SettingsConfigDict(frozen=True, extra="ignore", env_ignore_empty=True, validate_default=False)

    @classmethod
    def variable(cls, field: str, prefix: str | None = None) -> str:
        return f"{prefix if prefix is not None else cls.model_config.get('env_prefix', '')}{field}".upper()

    @classmethod
    def variables(cls, prefix: str | None = None) -> dict[str, bool]:
        """Every variable this section reads, and whether it is a secret (also read as X_FILE)."""
        return {
            cls.variable(name, prefix): _is_secret(field.metadata, field.annotation)
            for name, field in cls.model_fields.items()
        }

    @classmethod
    def read(cls, env: Mapping[str, str], problems: list[Problem], prefix: str | None = None) -> Self:
        """The section's values; each bad variable is appended to `problems` and stands at its default, so the
        checks across variables still see what the operator set in the others."""
        given: dict[str, Any] = dict(env)
        secrets = {name for name, secret in cls.variables(prefix).items() if secret}
        for name in secrets:
            given.update(_secret_from_file(env, name))
        scoped = cls if prefix is None else _with_prefix(cls, prefix)
        try:
            return scoped(_build_sources=((_MappingSource(scoped, given),), {}))
        except ValidationError as invalid:
            bad = set()
            for error in invalid.errors():
                name = cls.variable(str(error["loc"][0]), prefix) if error["loc"] else cls.__name__
                bad.add(name)
                problems.append(Problem((name,), _describe(error, shown=name not in secrets)))
        rest = {key: value for key, value in given.items() if key.upper() not in bad}
        try:
            return scoped(_build_sources=((_MappingSource(scoped, rest),), {}))
        except ValidationError:
            return scoped.model_construct()


def _is_secret(metadata: list[Any], annotation: Any) -> bool:
    # FROM_FILE sits in the field's metadata, or inside an Optional[Annotated[...]] it is wrapped in.
    return FROM_FILE in metadata or any(
        _is_secret(list(getattr(arg, "__metadata__", ())), arg) for arg in typing.get_args(annotation)
    )


@functools.cache
def _with_prefix(cls: type[Section], prefix: str) -> type[Section]:
    # One section class for each service's variables (MOMENTUM_DB_PLANS_, MOMENTUM_DB_STREAKS_, ...).
    return type(cls.__name__, (cls,), {"model_config": {**cls.model_config, "env_prefix": prefix}})


def _secret_from_file(env: Mapping[str, str], name: str) -> dict[str, Any]:
    path = env.get(f"{name}_FILE")
    if not path:
        return {}
    if env.get(name):
        return {name: FileTrouble(f"both {name} and {name}_FILE are set; set one")}
    try:
        with open(path, encoding="utf-8") as handle:
            value = handle.read().strip()
    except (OSError, UnicodeDecodeError) as exc:
        return {name: FileTrouble(f"{name}_FILE={path!r} cannot be read: {exc.__class__.__name__}: {exc.args[-1]}")}
    # An empty mounted secret must not fall back to the public local default.
    return {name: value or FileTrouble(f"{name}_FILE={path!r} is empty")}


def _describe(error: Any, shown: bool) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    raw = error.get("input")
    # A secret's value never reaches a log line or a terminal.
    if shown and isinstance(raw, str):
        return f"{raw!r} is invalid: {message}"
    return message
