"""A chat-completions client for any OpenAI-compatible server (Ollama, llama.cpp, vLLM,
OpenAI, OpenRouter, Gemini's OpenAI endpoint), through the `openai` package.

The package retries timeouts, refused connections, 429 (honouring Retry-After) and 5xx
with backoff, up to `retries` times; what still fails becomes one `LLMError` line. The
key is read from the environment variable whose *name* the settings give, and is
redacted from anything a server sends back before it reaches an error message.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import openai

from .errors import SnakereelError

log = logging.getLogger("snakereel.llm")

NO_KEY = "none"  # local servers ignore the key, but the client needs one


class LLMError(SnakereelError):
    """The server failed or refused; one line, never the key."""


@dataclass(frozen=True)
class Answer:
    text: str
    input_tokens: int
    output_tokens: int


def api_key(settings: dict) -> str:
    name = settings.get("api_key_env", "")
    if not name:
        return NO_KEY
    key = os.environ.get(name, "")
    if not key:
        raise LLMError(
            f"environment variable {name} is not set",
            field="writer.api_key_env",
            hint=f"export {name}=<your key>, or set writer.api_key_env",
        )
    return key


def client(settings: dict, *, timeout: float | None = None, retries: int | None = None):
    return openai.OpenAI(
        base_url=settings["base_url"],
        api_key=api_key(settings),
        timeout=settings["timeout"] if timeout is None else timeout,
        max_retries=settings["retries"] if retries is None else retries,
    )


def complete(settings: dict, messages: list[dict], schema: dict) -> Answer:
    """One answer constrained to `schema` (structured outputs, strict)."""
    extra = {"seed": settings["seed"]} if "seed" in settings else {}
    log.info("POST %s/chat/completions model=%s", settings["base_url"], settings["model"])
    try:
        response = client(settings).chat.completions.create(
            model=settings["model"],
            messages=messages,
            temperature=settings["temperature"],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "video_script", "strict": True, "schema": schema},
            },
            **extra,
        )
    except openai.OpenAIError as error:
        raise _error(error, settings) from None
    usage = response.usage
    text = response.choices[0].message.content if response.choices else None
    return Answer(
        text or "",
        usage.prompt_tokens if usage else 0,
        usage.completion_tokens if usage else 0,
    )


def models(settings: dict, timeout: float = 5) -> list[str]:
    """The model ids `GET {base_url}/models` lists (one try: for `snakereel doctor`)."""
    try:
        return [model.id for model in client(settings, timeout=timeout, retries=0).models.list()]
    except openai.OpenAIError as error:
        raise _error(error, settings) from None


def _error(error: openai.OpenAIError, settings: dict) -> LLMError:
    url = settings["base_url"]
    tries = settings["retries"] + 1
    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        name = settings.get("api_key_env") or "writer.api_key_env"
        return LLMError(
            f"HTTP {error.status_code} from {url}: {_said(error, settings)}",
            hint=f"check the key in ${name}",
        )
    if isinstance(error, openai.APITimeoutError):
        return LLMError(
            f"no answer from {url} within {settings['timeout']} s ({tries} tries)",
            hint="raise writer.timeout, or try a smaller model",
        )
    if isinstance(error, openai.APIConnectionError):
        return LLMError(
            f"cannot connect to {url} ({tries} tries)",
            hint="check writer.base_url and that the server is running",
        )
    if isinstance(error, openai.RateLimitError):
        return LLMError(
            f"{url} is rate limiting (HTTP 429, {tries} tries): {_said(error, settings)}",
            hint="try again later, or raise writer.retries",
        )
    if isinstance(error, openai.APIStatusError):
        hint = "try again later" if error.status_code >= 500 else "check writer.model and base_url"
        return LLMError(f"HTTP {error.status_code} from {url}: {_said(error, settings)}", hint=hint)
    return LLMError(f"{url}: {_redact(str(error), settings)}")


def _said(error: openai.APIStatusError, settings: dict) -> str:
    """The server's own message, without the key, on one short line."""
    body = error.body
    message = body.get("message") if isinstance(body, dict) else None
    return _redact(str(message or error.message), settings)


def _redact(text: str, settings: dict) -> str:
    name = settings.get("api_key_env", "")
    key = os.environ.get(name, "") if name else ""
    if key:
        text = text.replace(key, "[key]")
    return " ".join(text.split())[:300]
