"""``exchange identity|register|export|import|receipt``: signed files between a county's desk and the province's.

Every subcommand signs in like the other commands and needs Permission.EXCHANGE (a manager or an admin), as
the exchange window's buttons do. ``register`` shows both fingerprints and asks whether they
match what the other desk shows, unless ``--yes``; without a terminal ``--yes`` is required (exit 2). A refused
file (tampered, truncated, replayed, out of order, from another province or an unknown desk) exits 2 with the
Persian reason and changes nothing. Conflicts waiting after an import are counted, not an error (exit 0).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ostandari_desk.cli.common import EXIT_OK, EXIT_REFUSED, confirm, fa, percent, sign_in, signed_in
from ostandari_desk.errors import UserError

__all__ = ["FINGERPRINT_QUESTION", "add_exchange_commands", "exchange_command"]

FINGERPRINT_QUESTION = "آیا اثر انگشت با آنچه روی میز دیگر نمایش داده شده یکسان است؟"
CONFLICTS_HINT = (
    "آن‌ها را در برنامه بررسی کنید: منوی «پرونده ← تبادل با استان / شهرستان…»، بخش «ناسازگاری‌ها» "
    "(مدیر یا مدیر سامانه)."
)
_COUNTY_HELP = "در میز استان: شهرستانی که پرونده برای آن است (وقتی بیش از یک میز شهرستان ثبت شده، لازم است)"


def add_exchange_commands(commands, common: argparse.ArgumentParser, epilog: str) -> None:
    """The ``exchange`` command and its five subcommands (resources/docs/CLI.md)."""
    exchange = commands.add_parser(
        "exchange",
        parents=[common],
        help="تبادل پرونده‌های امضاشده میان میز شهرستان و میز استان",
        epilog=epilog,
    )
    actions = exchange.add_subparsers(dest="exchange_action", required=True, metavar="کار")
    identity = actions.add_parser(
        "identity",
        parents=[common],
        help="نوشتن پرونده شناسه این میز (استان، شهرستان و کلید عمومی) برای ثبت در میز دیگر",
        epilog=epilog,
    )
    identity.add_argument("--out", required=True, type=Path, metavar="FILE", help="پرونده شناسه")
    register = actions.add_parser(
        "register",
        parents=[common],
        help="ثبت میز دیگر از روی پرونده شناسه‌اش؛ دو اثر انگشت نمایش داده و تأیید خواسته می‌شود",
        epilog=epilog,
    )
    register.add_argument("file", type=Path, help="پرونده شناسه میز دیگر")
    register.add_argument(
        "--yes",
        action="store_true",
        help="بی‌پرسش ثبت شود: اثر انگشت پیش‌تر با میز دیگر سنجیده شده است (بدون پایانه، لازم است)",
    )
    export = actions.add_parser(
        "export",
        parents=[common],
        help="نوشتن پرونده تبادل امضاشده: تغییرات از آخرین تبادل تأییدشده",
        epilog=epilog,
    )
    export.add_argument("--out", required=True, type=Path, metavar="FILE", help="پرونده تبادل")
    export.add_argument("--county", metavar="NAME", help=_COUNTY_HELP)
    imp = actions.add_parser(
        "import",
        parents=[common],
        help="دریافت پرونده تبادل یا رسید میز دیگر (پرونده ردشده هیچ تغییری نمی‌دهد)",
        epilog=epilog,
    )
    imp.add_argument("file", type=Path, help="پرونده تبادل یا رسید")
    receipt = actions.add_parser(
        "receipt",
        parents=[common],
        help="نوشتن رسید آنچه این میز از آخرین پرونده‌های میز دیگر پذیرفته است",
        epilog=epilog,
    )
    receipt.add_argument("--out", required=True, type=Path, metavar="FILE", help="پرونده رسید")
    receipt.add_argument("--county", metavar="NAME", help=_COUNTY_HELP)


def exchange_command(args: argparse.Namespace, db_path: Path) -> int:
    if args.exchange_action == "register":
        return register_command(args, db_path)
    return _SIGNED_IN[args.exchange_action](args, db_path)


def _ltr_line(value: str) -> str:
    """A fingerprint on its own indented line: left to right whatever the terminal's direction."""
    return f"    {value}"


def _desk_text(province: str, county: str | None) -> str:
    return f"شهرستان {county} (استان {province})" if county else f"استان {province}"


# --- identity and registration --------------------------------------------------------------------------


@signed_in
def identity_command(args: argparse.Namespace, uow) -> int:
    from ostandari_desk.services.exchange import desks

    _require(uow)
    identity = desks.write_identity(uow, args.out)
    print(f"پرونده شناسه این میز نوشته شد: {args.out}")
    print(f"میز: {_desk_text(identity.province, identity.county)}")
    print("اثر انگشت این میز (هنگام ثبت در میز دیگر باید همین نمایش داده شود):")
    print(_ltr_line(identity.fingerprint))
    return EXIT_OK


def register_command(args: argparse.Namespace, db_path: Path) -> int:
    from ostandari_desk.domain.roles import Permission
    from ostandari_desk.services.exchange import desks, keys

    interactive = sys.stdin is not None and sys.stdin.isatty()
    if not args.yes and not interactive:
        raise UserError(
            "ثبت میز نیازمند تأیید اثر انگشت است: بدون پایانه، پس از سنجیدن اثر انگشت ‎--yes‎ را بیفزایید. "
            "چیزی ثبت نشد."
        )
    engine, uow = sign_in(args, db_path)
    try:
        uow.require(Permission.EXCHANGE)
        peer = desks.read_identity(args.file)
        mine = keys.desk_identity(uow)
        replaced = _registered_with_another_key(desks.list_desks(uow), peer)
        print(f"این میز: {_desk_text(mine.province, mine.county)}")
        print("اثر انگشت این میز:")
        print(_ltr_line(mine.fingerprint))
        print(f"پرونده شناسه: {_desk_text(peer.province, peer.county)}")
        print("اثر انگشت پرونده شناسه:")
        print(_ltr_line(peer.fingerprint))
        if replaced:
            print(
                f"هشدار: {_desk_text(peer.province, peer.county)} پیش‌تر با کلید دیگری (اثر انگشت "
                "زیر) ثبت شده است؛ با تأیید، کلید تازه جای آن را می‌گیرد.",
                file=sys.stderr,
            )
            print(_ltr_line(replaced), file=sys.stderr)
        if not args.yes and not confirm(FINGERPRINT_QUESTION):
            print("میز ثبت نشد؛ چیزی تغییر نکرد.")
            return EXIT_REFUSED
        desks.register_desk(uow, peer, replace=bool(replaced))
    finally:
        engine.dispose()
    print(f"میز {_desk_text(peer.province, peer.county)} ثبت شد.")
    return EXIT_OK


def _registered_with_another_key(registered, peer) -> str:
    """The fingerprint under which the peer's county (or the province) is registered already with another
    key; "" when it is new or the same key."""
    for desk in registered:
        if desk.county_id == peer.county_id and desk.fingerprint != peer.fingerprint:
            return desk.fingerprint
    return ""


# --- files ------------------------------------------------------------------------------------------------


def _require(uow) -> None:
    from ostandari_desk.domain.roles import Permission

    uow.require(Permission.EXCHANGE)


@signed_in
def export_command(args: argparse.Namespace, uow) -> int:
    from ostandari_desk.services.exchange import export

    _require(uow)
    progress, finish = percent("ساخت پرونده تبادل")
    try:
        result = export.export_changes(uow, args.out, county=args.county, progress=progress)
    finally:
        finish()
    print(f"پرونده تبادل شماره {fa(result.seq)} برای {result.desk.label} نوشته شد: {args.out}")
    print(
        f"{fa(result.records)} رکورد، {fa(result.deletions)} حذف، {fa(result.attachments)} پیوست. "
        "رسید آن میز را که رسید، با ‎exchange import‎ دریافت کنید."
    )
    return EXIT_OK


@signed_in
def import_command(args: argparse.Namespace, uow) -> int:
    from ostandari_desk.services.exchange import history, imports

    _require(uow)
    progress, finish = percent("دریافت پرونده تبادل")
    try:
        result = imports.import_file(uow, args.file, progress=progress)
    finally:
        finish()
    for line in history.describe_import(result):
        print(line)
    if result.kind == "changes" and not result.already_received:
        if result.conflicts:
            print(CONFLICTS_HINT)
        print("سپس برای آن میز رسید بنویسید: ‎exchange receipt --out FILE‎")
    return EXIT_OK


@signed_in
def receipt_command(args: argparse.Namespace, uow) -> int:
    from ostandari_desk.services.exchange import receipts

    _require(uow)
    result = receipts.write_receipt(uow, args.out, county=args.county)
    print(f"رسید شماره {fa(result.seq)} برای {result.desk.label} نوشته شد: {args.out}")
    print(f"{fa(result.records)} رکورد پذیرفته‌شده از {fa(result.files)} پرونده تبادل در آن آمده است.")
    return EXIT_OK


_SIGNED_IN = {
    "identity": identity_command,
    "export": export_command,
    "import": import_command,
    "receipt": receipt_command,
}
