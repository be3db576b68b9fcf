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


class DatabaseUnavailableError(UserError):
    """The database cannot be read or written now; ``reason`` says why, the message what to do.

    Reasons: ``locked`` (another copy of the desk or another program is writing), ``full`` (no room
    left on its disk), ``read_only`` (the file, its folder or the drive is write-protected), ``corrupt``
    (a damaged file, or no database at all: restore a backup), ``cannot_open`` (the folder or drive is
    gone or out of reach), ``io`` (a disk error), ``newer`` (made by a newer version of the app) and
    ``schema`` (this version cannot use it). ``database`` is the file's path when known.
    """

    LOCKED = "locked"
    FULL = "full"
    READ_ONLY = "read_only"
    CORRUPT = "corrupt"
    CANNOT_OPEN = "cannot_open"
    IO = "io"
    NEWER = "newer"
    SCHEMA = "schema"

    def __init__(self, reason: str, message: str | None = None, *, database: str | None = None):
        super().__init__(message or UNAVAILABLE_MESSAGES[reason])
        self.reason = reason
        self.database = database


UNAVAILABLE_MESSAGES: dict[str, str] = {
    DatabaseUnavailableError.LOCKED: (
        "پایگاه داده قفل است: نسخه دیگری از میز کار یا برنامه‌ای دیگر آن را باز کرده است و در آن می‌نویسد. "
        "آن برنامه یا پنجره دیگر میز کار را ببندید، یا چند لحظه صبر کنید و دوباره بکوشید."
    ),
    DatabaseUnavailableError.FULL: (
        "دیسکی که پایگاه داده روی آن است پر شده و تغییر ثبت نشد. "
        "روی آن دیسک جا باز کنید (پرونده‌های غیرضروری را پاک یا جابه‌جا کنید) و دوباره بکوشید."
    ),
    DatabaseUnavailableError.READ_ONLY: (
        "پایگاه داده فقط‌خواندنی است و چیزی در آن نوشته نمی‌شود. اجازه نوشتن در پرونده پایگاه داده و "
        "پوشه آن را بررسی کنید؛ اگر روی فلش یا حافظه جداشدنی است، قفل محافظ نوشتن آن را بردارید یا "
        "پرونده را روی دیسک رایانه کپی کنید."
    ),
    DatabaseUnavailableError.CORRUPT: (
        "پرونده پایگاه داده آسیب دیده است (یا پرونده پایگاه داده این برنامه نیست) و خوانده نمی‌شود. "
        "آخرین نسخه پشتیبان را بازگردانید (فرمان ‎ostandari-desk restore‎)."
    ),
    DatabaseUnavailableError.CANNOT_OPEN: (
        "پرونده پایگاه داده باز نشد: پوشه آن پیدا نشد یا اجازه دسترسی به آن نیست، یا دیسک یا فلش آن جدا شده "
        "است. مسیر پایگاه داده و اجازه دسترسی به پوشه آن را بررسی کنید."
    ),
    DatabaseUnavailableError.IO: (
        "خواندن یا نوشتن پرونده پایگاه داده با خطای دیسک روبه‌رو شد. اگر روی فلش یا پوشه شبکه است، اتصال "
        "آن را بررسی کنید و دوباره بکوشید؛ اگر تکرار شد، بررسی سلامت (‎ostandari-desk check‎) را اجرا کنید."
    ),
    DatabaseUnavailableError.NEWER: (
        "این پایگاه داده با نسخه‌ای تازه‌تر از این برنامه ساخته شده است و باز نمی‌شود؛ "
        "لطفاً برنامه را به‌روز کنید."
    ),
    DatabaseUnavailableError.SCHEMA: "این نسخه برنامه نمی‌تواند از این پایگاه داده استفاده کند.",
}


class SchemaError(DatabaseUnavailableError):
    """The database file cannot be used by this version of the app (``reason`` ``newer`` or ``schema``)."""

    def __init__(
        self,
        message: str | None = None,
        *,
        reason: str = DatabaseUnavailableError.SCHEMA,
        database: str | None = None,
    ):
        super().__init__(reason, message, database=database)


class UpgradeFailedError(SchemaError):
    """An upgrade of the database failed and was rolled back; ``copy`` is the file's before-upgrade copy,
    which the app offers to restore."""

    def __init__(self, message: str, *, copy: str, database: str | None = None):
        super().__init__(message, database=database)
        self.copy = copy


class PermissionDeniedError(UserError):
    """The acting user's role or county does not allow this."""


class AuthenticationError(UserError):
    """Wrong or missing credentials, a disabled user, or a user locked out after failed attempts."""
