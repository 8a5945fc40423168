"""How a pipeline stage fails and is retried: `StageFailedError` and the stage RetryPolicy."""

from __future__ import annotations

from langgraph.types import RetryPolicy

from fleetgraph.errors import ConfigurationError, InvalidInputError, WorkerFailedError


class StageFailedError(WorkerFailedError):
    """A pipeline stage's worker failed; the message names the stage and the attempt.

    The extras are keyword-only with defaults because an exception unpickles by calling its
    class with the message alone (then restoring attributes).
    """

    def __init__(self, message: str, *, stage: str = "", retryable: bool = True) -> None:
        super().__init__(message)
        self.stage = stage
        self.retryable = retryable

    @classmethod
    def wrap(
        cls, stage: str, attempt: int, max_attempts: int, error: Exception
    ) -> StageFailedError:
        text = str(error).rstrip(". ")
        detail = f"{type(error).__name__}: {text}" if text else type(error).__name__
        # A bad setting or input fails the same way every time: retrying only wastes time.
        retryable = not isinstance(error, ConfigurationError | InvalidInputError)
        last = not retryable or attempt >= max_attempts
        hint = " Resume the thread to rerun it; finished stages are kept." if last else ""
        return cls(
            f"Pipeline stage '{stage}' failed (attempt {attempt} of {max_attempts}): "
            f"{detail}.{hint}",
            stage=stage,
            retryable=retryable,
        )


def is_retryable(error: Exception) -> bool:
    """`retry_on` of the stage policy: stage failures, unless retrying cannot help."""
    return isinstance(error, StageFailedError) and error.retryable


def stage_retry_policy(
    *,
    max_attempts: int = 3,
    initial_interval: float = 1.0,
    backoff_factor: float = 2.0,
    max_interval: float = 30.0,
    jitter: bool = True,
) -> RetryPolicy:
    """The RetryPolicy every pipeline stage node runs under.

    LangGraph's default `retry_on` skips RuntimeError, ValueError and OSError (so also
    TimeoutError), which is most of what a worker raises; this one retries any stage
    failure that `is_retryable`. Jitter adds up to a second to each wait.
    """
    return RetryPolicy(
        initial_interval=initial_interval,
        backoff_factor=backoff_factor,
        max_interval=max_interval,
        max_attempts=max_attempts,
        jitter=jitter,
        retry_on=is_retryable,
    )


STAGE_RETRY_POLICY = stage_retry_policy()
