#!/usr/bin/env bash
# Linux smoke build: freeze the app with installer/ostandari_desk.spec and prove the bundle works.
#
#   installer/build.sh                      # uses `python3` on PATH (or $PYTHON), which must have the app
#   PYTHON=/work/venv/bin/python installer/build.sh
#   BUILD_VENV=/tmp/pyi-venv installer/build.sh   # a throwaway venv: pip install . + PyInstaller there
#   installer/build.sh --no-build           # only re-run the checks on an existing dist/
#
# What it proves: the spec's hidden imports, data files (fonts, translations, style, counties, forms,
# Alembic migrations) and Qt exclusions are right — the frozen CLI creates, migrates and fills a
# database, writes Excel, and the frozen GUI opens its main window (offscreen) without an error dialog.
# What it does not prove: anything about the Windows DLLs, the Windows platform plugin or the
# installer; that is installer/build.ps1 on a Windows runner (see installer/README.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="$ROOT/dist/ostandari-desk"
INTERNAL="$DIST/_internal"
PYINSTALLER_SPEC="pyinstaller>=6.10,<7"
BUILD=1
[[ "${1:-}" == "--no-build" ]] && BUILD=0

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

if [[ -n "${BUILD_VENV:-}" ]]; then
    step "throwaway venv $BUILD_VENV"
    python3 -m venv "$BUILD_VENV"
    "$BUILD_VENV/bin/python" -m pip install -q --upgrade pip
    "$BUILD_VENV/bin/python" -m pip install -q "$ROOT" "$PYINSTALLER_SPEC"
    PYTHON="$BUILD_VENV/bin/python"
fi
PYTHON="${PYTHON:-python3}"

if (( BUILD )); then
    step "PyInstaller ($PYTHON)"
    "$PYTHON" -c "import ostandari_desk" || fail "$PYTHON cannot import ostandari_desk; pip install -e . first"
    "$PYTHON" -c "import PyInstaller" 2>/dev/null || "$PYTHON" -m pip install -q "$PYINSTALLER_SPEC"
    started=$(date +%s)
    "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" "$ROOT/installer/ostandari_desk.spec"
    echo "built in $(( $(date +%s) - started )) s"
fi
[[ -x "$DIST/ostandari-desk" && -x "$DIST/ostandari-desk-cli" ]] || fail "no executables in $DIST"

step "data files in the bundle"
while IFS= read -r file; do   # every file of resources/ (an empty folder is not carried)
    [[ -f "$INTERNAL/resources/$file" ]] || fail "resources/$file missing"
done < <(cd "$ROOT/resources" && find . -type f | sed 's#^\./##')
[[ -f "$INTERNAL/resources/fonts/OFL.txt" ]] || fail "the font licence (OFL.txt) is missing"
want=$(ls "$ROOT"/forms/*.ui | wc -l)
have=$(ls "$INTERNAL"/forms/*.ui 2>/dev/null | wc -l)
(( want == have )) || fail "forms: $have of $want .ui files"
[[ -f "$INTERNAL/ostandari_desk/store/migrations/env.py" ]] || fail "migrations/env.py missing"
want=$(ls "$ROOT"/ostandari_desk/store/migrations/versions/*.py | wc -l)
have=$(ls "$INTERNAL"/ostandari_desk/store/migrations/versions/*.py 2>/dev/null | wc -l)
(( want == have )) || fail "migrations: $have of $want revisions"
echo "$(cd "$ROOT/resources" && find . -type f | wc -l) resource files, $want migration(s) and $(ls "$INTERNAL"/forms/*.ui | wc -l) forms present"

step "every shared library resolves inside the bundle (ldd)"
missing=$(find "$DIST" -type f \( -name '*.so' -o -name '*.so.*' -o -name 'ostandari-desk*' \) -print0 |
    xargs -0 -n 20 env LD_LIBRARY_PATH="$INTERNAL" ldd 2>/dev/null | grep 'not found' | sort -u || true)
[[ -z "$missing" ]] || fail "unresolved libraries:
$missing"
echo "ok"

step "Qt modules in the bundle"
ls "$INTERNAL/PySide6" | grep -E '^Qt\w+\.' | sed 's/\..*//' | tr '\n' ' '; echo
find "$INTERNAL/PySide6" -name 'libQt6*' -printf '%f ' | sed 's/libQt6//g; s/\.so\.6//g'; echo

# Everything below runs from / with a private data folder: the bundle must not depend on the cwd
# or on the developer's own database.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export OSTANDARI_DESK_HOME="$WORK/home"
CLI="$DIST/ostandari-desk-cli"
cd /

step "CLI: init, demo, template, export, import --dry-run"
"$CLI" --db "$WORK/x.sqlite3" init --province قزوین
"$CLI" --db "$WORK/demo.sqlite3" demo
"$CLI" --db "$WORK/x.sqlite3" template ngos "$WORK/t.xlsx"
[[ -s "$WORK/t.xlsx" ]] || fail "template wrote nothing"
"$CLI" --db "$WORK/demo.sqlite3" export ngos "$WORK/ngos.xlsx"
set +e
"$CLI" --db "$WORK/x.sqlite3" import ngos "$WORK/ngos.xlsx" --dry-run > "$WORK/import.out" 2> "$WORK/import.err"
status=$?
set -e
tail -n 2 "$WORK/import.out"
# 0 all rows fine, 1 some rows refused (a normal answer); anything else is a crash or a refusal.
(( status <= 1 )) || { cat "$WORK/import.err" >&2; fail "import exited $status"; }
if "$CLI" --help | grep -q 'report'; then
    "$CLI" --db "$WORK/demo.sqlite3" report register --out "$WORK/register.pdf"
    [[ -s "$WORK/register.pdf" ]] || fail "report wrote nothing"
    echo "report register: $(stat -c %s "$WORK/register.pdf") bytes"
else
    echo "(no 'report' command in this CLI yet: PDF reports not exercised from the CLI)"
fi

step "GUI starts (offscreen) on the demo database"
# The windowed executable, with the smoke probe (installer/rthook_smoke.py); three runs, times from launch.
for run in 1 2 3; do
    rm -f "$WORK/smoke.txt"
    launched=$(date +%s.%N)
    set +e
    QT_QPA_PLATFORM=offscreen OSTANDARI_DESK_SMOKE="$WORK/smoke.txt" OSTANDARI_DESK_SMOKE_LIMIT=30 \
        timeout 60 "$DIST/ostandari-desk" --db "$WORK/demo.sqlite3" > "$WORK/gui.log" 2>&1
    status=$?
    set -e
    if (( status != 0 )) || ! grep -q '^ok' "$WORK/smoke.txt" 2>/dev/null; then
        cat "$WORK/gui.log" "$WORK/smoke.txt" >&2 2>/dev/null || true
        fail "GUI run $run exited $status"
    fi
    awk -v t0="$launched" -v run="$run" '
        $1 == "window" { w = $2 - t0 } $1 == "ready" { r = $2 - t0 }
        END { printf "run %d: main window shown %.2f s, database open %.2f s after launch\n", run, w, r }' \
        "$WORK/smoke.txt"
done

step "size"
du -sh "$DIST"
echo "frozen app OK: $DIST"
