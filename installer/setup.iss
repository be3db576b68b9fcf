; Inno Setup script for Ostandari Desk («میز استانداری») — a per-user installer, no administrator rights.
;
;   iscc /DAppVersion=0.1.0 installer\setup.iss         (installer\build.ps1 does this after PyInstaller)
;
; Needs Inno Setup 6.3 or newer (x64compatible, UTF-8 script). This file is UTF-8 with a BOM so that
; older 6.x compilers read the Persian names right as well.
;
; Persian: Farsi.isl is one of Inno Setup's *unofficial* translations (issrc: Files/Languages/Unofficial,
; https://jrsoftware.org/files/istrans/); the Inno Setup installer does not always install that folder.
; It is used, first and as the only language, when found at (in this order) /DFarsiIsl=PATH,
; <Inno>\Languages\Unofficial\Farsi.isl, or installer\Farsi.isl; otherwise Setup is in English.
; Farsi.isl sets RightToLeft=yes, so the whole wizard is mirrored (right to left) — the same direction
; as the application. The shortcut names are Persian either way.
;
; Where things go:
;   program  {autopf}\Ostandari Desk  = %LOCALAPPDATA%\Programs\Ostandari Desk (per user: lowest privileges)
;   data     %LOCALAPPDATA%\OstandariDesk — the app makes it itself (platformdirs) on first run: the
;            database, attachments, logs. Setup never writes there and the uninstaller never deletes it.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef DistDir
  #define DistDir AddBackslash(SourcePath) + "..\dist\ostandari-desk"
#endif
#ifndef OutputDir
  #define OutputDir AddBackslash(SourcePath) + "..\dist"
#endif
#define AppNameFa "میز استانداری"
#define AppExe "ostandari-desk.exe"

#ifndef FarsiIsl
  #if FileExists(AddBackslash(CompilerPath) + "Languages\Unofficial\Farsi.isl")
    #define FarsiIsl AddBackslash(CompilerPath) + "Languages\Unofficial\Farsi.isl"
  #elif FileExists(AddBackslash(SourcePath) + "Farsi.isl")
    #define FarsiIsl AddBackslash(SourcePath) + "Farsi.isl"
  #endif
#endif
#ifdef FarsiIsl
  #pragma message "Persian wizard (right to left) from " + FarsiIsl
#else
  #pragma message "Farsi.isl not found: the wizard will be in English (see installer\README.md)"
#endif

[Setup]
; AppId identifies the installation for upgrades and the uninstaller: never change it.
AppId={{7D3C51E2-6B0A-4F38-9C1E-2A4B8E5F90D1}
AppName={#AppNameFa}
AppVersion={#AppVersion}
AppVerName={#AppNameFa} {#AppVersion}
AppPublisher=استانداری — اداره کل امور اجتماعی و فرهنگی
VersionInfoVersion={#AppVersion}
VersionInfoProductName=Ostandari Desk
VersionInfoDescription=Ostandari Desk Setup
; Per user, no UAC prompt; {autopf} is then the user's Programs folder.
PrivilegesRequired=lowest
DefaultDirName={autopf}\Ostandari Desk
DefaultGroupName={#AppNameFa}
DisableProgramGroupPage=yes
UninstallDisplayName={#AppNameFa}
UninstallDisplayIcon={app}\{#AppExe}
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; Close a running copy (Restart Manager) before replacing its files.
CloseApplications=yes
RestartApplications=no
; Persian first, always (clerks' Windows is often in English); no language dialog.
ShowLanguageDialog=no
LanguageDetectionMethod=none
WizardStyle=modern
OutputDir={#OutputDir}
OutputBaseFilename=ostandari-desk-setup-{#AppVersion}
; Solid LZMA2 with a 64 MB dictionary: the two executables carry the same Python archive.
Compression=lzma2/ultra64
SolidCompression=yes
#if FileExists(AddBackslash(SourcePath) + "ostandari_desk.ico")
SetupIconFile={#AddBackslash(SourcePath) + "ostandari_desk.ico"}
#endif

[Languages]
#ifdef FarsiIsl
Name: "fa"; MessagesFile: "{#FarsiIsl}"
#endif
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
fa.DataKept=داده‌های شما (پایگاه داده، پیوست‌ها و گزارش‌های کار) پاک نشد و در این پوشه مانده است:%n%1%nاگر دیگر به آن‌ها نیاز ندارید، پس از تهیه نسخه پشتیبان می‌توانید این پوشه را خودتان پاک کنید.
en.DataKept=Your data (database, attachments, logs) was not removed; it is still in:%n%1%nDelete that folder yourself, after a backup, if you no longer need it.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; A new version's bundle replaces the old one whole: no stale DLLs or modules from an older build.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppNameFa}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppNameFa}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppNameFa}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete]: the uninstaller removes only what Setup installed. The user's data lives in
; %LOCALAPPDATA%\OstandariDesk (or wherever OSTANDARI_DESK_HOME points), never under {app}.

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\OstandariDesk');
    if DirExists(DataDir) and not UninstallSilent then
      MsgBox(FmtMessage(CustomMessage('DataKept'), [DataDir]), mbInformation, MB_OK);
  end;
end;
