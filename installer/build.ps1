# Windows build: freeze with PyInstaller, smoke-test the frozen app, then make the per-user installer.
#
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1                 # python on PATH has the app
#   installer\build.ps1 -Python .venv\Scripts\python.exe -FarsiIsl C:\path\Farsi.isl
#   installer\build.ps1 -SkipBuild            # re-run the checks and iscc on an existing dist\
#   installer\build.ps1 -TestInstall          # also install silently, run it, uninstall (CI runners)
#
# Same steps as installer/build.sh, but here the Windows DLLs, the qwindows platform plugin and the
# windowed (no console) executable are the real thing. This file is ASCII on purpose (Windows
# PowerShell 5.1 reads a BOM-less script in the ANSI code page); Persian arguments are built from code
# points.
[CmdletBinding()]
param(
    [string]$Python = "python",
    [string]$Iscc = "",
    [string]$FarsiIsl = "",
    [switch]$SkipBuild,
    [switch]$SkipInstaller,
    [switch]$TestInstall,
    [switch]$Offscreen
)
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
$Dist = Join-Path $Root "dist\ostandari-desk"
$Internal = Join-Path $Dist "_internal"
$Gui = Join-Path $Dist "ostandari-desk.exe"
$Cli = Join-Path $Dist "ostandari-desk-cli.exe"
[Console]::OutputEncoding = [Text.Encoding]::UTF8   # the CLI prints Persian in UTF-8
$Qazvin = -join [char[]](0x0642, 0x0632, 0x0648, 0x06CC, 0x0646)

function Step([string]$Text) { Write-Host "`n== $Text" }
function Fail([string]$Text) { Write-Error "FAIL: $Text"; exit 1 }
function Invoke-Checked([string]$Exe, [string[]]$Arguments, [int[]]$Allowed = @(0)) {
    & $Exe @Arguments
    if ($Allowed -notcontains $LASTEXITCODE) { Fail "$Exe $($Arguments -join ' ') exited $LASTEXITCODE" }
}

$version = (Select-String -Path (Join-Path $Root "pyproject.toml") -Pattern '^version\s*=\s*"([^"]+)"').Matches[0].Groups[1].Value

if (-not $SkipBuild) {
    Step "PyInstaller ($Python)"
    & $Python -c "import ostandari_desk"
    if ($LASTEXITCODE -ne 0) { Fail "$Python cannot import ostandari_desk; pip install -e . first" }
    & $Python -c "import PyInstaller" 2>$null
    if ($LASTEXITCODE -ne 0) { Invoke-Checked $Python @("-m", "pip", "install", "-q", "pyinstaller>=6.10,<7") }
    Invoke-Checked $Python @("-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", (Join-Path $Root "dist"), "--workpath", (Join-Path $Root "build\pyinstaller"),
        (Join-Path $Root "installer\ostandari_desk.spec"))
}
if (-not (Test-Path $Gui) -or -not (Test-Path $Cli)) { Fail "no executables in $Dist" }

Step "data files and Qt in the bundle"
$resources = Join-Path $Root "resources"
foreach ($file in Get-ChildItem -Recurse -File $resources) {   # an empty folder is not carried
    $relative = $file.FullName.Substring($resources.Length + 1)
    if (-not (Test-Path (Join-Path $Internal "resources\$relative"))) { Fail "resources\$relative missing" }
}
$forms = (Get-ChildItem (Join-Path $Root "forms\*.ui")).Count
if ((Get-ChildItem (Join-Path $Internal "forms\*.ui")).Count -ne $forms) { Fail "forms missing" }
$revisions = (Get-ChildItem (Join-Path $Root "ostandari_desk\store\migrations\versions\*.py")).Count
if ((Get-ChildItem (Join-Path $Internal "ostandari_desk\store\migrations\versions\*.py")).Count -ne $revisions) {
    Fail "migrations missing"
}
foreach ($dll in @("Qt6Core.dll", "Qt6Gui.dll", "Qt6Widgets.dll", "Qt6Charts.dll", "Qt6PrintSupport.dll",
                   "Qt6UiTools.dll", "Qt6Svg.dll", "plugins\platforms\qwindows.dll")) {
    if (-not (Test-Path (Join-Path $Internal "PySide6\$dll"))) { Fail "PySide6\$dll missing" }
}
foreach ($dll in @("Qt6Pdf.dll", "QtPdf.pyd")) {   # the report preview prefers QtPdf where the wheel has it
    if (-not (Test-Path (Join-Path $Internal "PySide6\$dll"))) { Write-Warning "PySide6\$dll not bundled: the preview will use pypdfium2" }
}
$leftovers = Get-ChildItem (Join-Path $Internal "PySide6") -Recurse -Include "Qt6Qml*.dll", "Qt6Quick*.dll", "Qt6WebEngine*", "opengl32sw.dll"
if ($leftovers) { Fail "excluded Qt files are in the bundle: $($leftovers.Name -join ', ')" }
Write-Host ("Qt bindings: " + ((Get-ChildItem (Join-Path $Internal "PySide6\Qt*.pyd")).BaseName -join " "))

# The rest runs in a private data folder and from another working directory.
$Work = Join-Path ([IO.Path]::GetTempPath()) ("ostandari-smoke-" + [Guid]::NewGuid().ToString("N"))
New-Item -ItemType Directory $Work | Out-Null
$env:OSTANDARI_DESK_HOME = Join-Path $Work "home"
Push-Location $env:SystemRoot
try {
    Step "CLI: init, demo, template, export, import --dry-run"
    Invoke-Checked $Cli @("--db", "$Work\x.sqlite3", "init", "--province", $Qazvin)
    Invoke-Checked $Cli @("--db", "$Work\demo.sqlite3", "demo")
    Invoke-Checked $Cli @("--db", "$Work\x.sqlite3", "template", "ngos", "$Work\t.xlsx")
    Invoke-Checked $Cli @("--db", "$Work\demo.sqlite3", "export", "ngos", "$Work\ngos.xlsx")
    Invoke-Checked $Cli @("--db", "$Work\x.sqlite3", "import", "ngos", "$Work\ngos.xlsx", "--dry-run") -Allowed @(0, 1)
    if ((& $Cli --help) -match "report") {
        Invoke-Checked $Cli @("--db", "$Work\demo.sqlite3", "report", "register", "--out", "$Work\register.pdf")
    } else {
        Write-Host "(no 'report' command in this CLI yet)"
    }

    Step "GUI starts on the demo database"
    if ($Offscreen) { $env:QT_QPA_PLATFORM = "offscreen" }
    foreach ($run in 1..3) {
        $smoke = Join-Path $Work "smoke.txt"
        Remove-Item $smoke -ErrorAction SilentlyContinue
        $env:OSTANDARI_DESK_SMOKE = $smoke
        $env:OSTANDARI_DESK_SMOKE_LIMIT = "30"
        $launched = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000.0
        $process = Start-Process -FilePath $Gui -ArgumentList @("--db", "`"$Work\demo.sqlite3`"") -PassThru
        if (-not $process.WaitForExit(60000)) { $process.Kill(); Fail "GUI run $run did not finish in 60 s" }
        $lines = if (Test-Path $smoke) { Get-Content $smoke -Encoding UTF8 } else { @() }
        if ($process.ExitCode -ne 0 -or -not ($lines -match "^ok")) {
            $lines | Write-Host
            Fail "GUI run $run exited $($process.ExitCode)"
        }
        $at = @{}
        foreach ($line in $lines) { $f = $line -split " "; $at[$f[0]] = [double]$f[1] - $launched }
        Write-Host ("run {0}: main window shown {1:N2} s, database open {2:N2} s after launch" -f $run, $at["window"], $at["ready"])
    }
    Remove-Item Env:OSTANDARI_DESK_SMOKE, Env:OSTANDARI_DESK_SMOKE_LIMIT
    if ($Offscreen) { Remove-Item Env:QT_QPA_PLATFORM }
} finally {
    Pop-Location
}

$size = (Get-ChildItem $Dist -Recurse -File | Measure-Object Length -Sum).Sum / 1MB
Write-Host ("`nbundle: {0:N0} MB in {1}" -f $size, $Dist)
if ($SkipInstaller) { exit 0 }

Step "Inno Setup"
if (-not $Iscc) {
    $candidates = @((Get-Command iscc.exe -ErrorAction SilentlyContinue).Source,
        "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
        "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe") | Where-Object { $_ -and (Test-Path $_) }
    if (-not $candidates) { Fail "ISCC.exe not found: install Inno Setup 6.3+ (winget install JRSoftware.InnoSetup) or pass -Iscc" }
    $Iscc = @($candidates)[0]
}
$isccArgs = @("/DAppVersion=$version")
if ($FarsiIsl) { $isccArgs += "/DFarsiIsl=$((Resolve-Path $FarsiIsl).Path)" }
Invoke-Checked $Iscc ($isccArgs + @((Join-Path $Root "installer\setup.iss")))
$setup = Join-Path $Root "dist\ostandari-desk-setup-$version.exe"
if (-not (Test-Path $setup)) { Fail "no $setup" }
Write-Host ("installer: {0:N0} MB {1}" -f ((Get-Item $setup).Length / 1MB), $setup)

if ($TestInstall) {
    Step "silent per-user install, run, uninstall (user data must survive)"
    $target = Join-Path $Work "app"
    $p = Start-Process $setup -ArgumentList @("/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/DIR=`"$target`"") -Wait -PassThru
    if ($p.ExitCode -ne 0) { Fail "setup exited $($p.ExitCode)" }
    Invoke-Checked (Join-Path $target "ostandari-desk-cli.exe") @("--db", "$Work\installed.sqlite3", "init", "--province", $Qazvin)
    $p = Start-Process (Join-Path $target "unins000.exe") -ArgumentList @("/VERYSILENT", "/SUPPRESSMSGBOXES") -Wait -PassThru
    if ($p.ExitCode -ne 0) { Fail "uninstaller exited $($p.ExitCode)" }
    Start-Sleep -Seconds 2   # the uninstaller finishes in a copy of itself
    if (Test-Path (Join-Path $target "ostandari-desk.exe")) { Fail "uninstall left the program behind" }
    if (-not (Test-Path "$Work\installed.sqlite3")) { Fail "uninstall removed user data" }
    Write-Host "ok"
}
Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
