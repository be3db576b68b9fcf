"""One base error; UserError subclasses carry a Persian message fit for the screen."""


class DeskError(Exception):
    """Base of every error the application raises on purpose."""


class UserError(DeskError):
    """An expected failure whose message (Persian) is shown to the clerk as is."""

    def __init__(self, message: str, *, field: str | None = None, record: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.record = record


class ValidationError(UserError):
    """A value the clerk typed or a file carried breaks a rule."""


class NotFoundError(UserError):
    """The record asked for does not exist (any more)."""


class DuplicateError(UserError):
    """A record with the same unique key already exists."""


class ConcurrentEditError(UserError):
    """Someone else saved the record since it was opened."""


class TransitionError(UserError):
    """A licence step that the lifecycle does not allow from the current state."""


class SchemaError(UserError):
    """The database file cannot be used by this version of the app."""


class PermissionDeniedError(UserError):
    """The acting user's role or county does not allow this."""


class AuthenticationError(UserError):
    """Wrong or missing credentials, a disabled user, or a user locked out after failed attempts."""
