; Inno Setup script: e-Rial Desk for Windows office PCs (per-machine install).
;
; Build the bundle on Windows first (see installer/README.md), then:
;   iscc installer\windows\erial-desk.iss
; The installer is written to dist\erial-desk-<version>-setup.exe.
;
; The program goes to Program Files; each Windows account's terminal data (database, key file,
; settings, log, printouts, backups made before upgrades) stays in its own
; %LOCALAPPDATA%\eRialDesk, which the uninstaller never touches. Installing a newer version over
; an older one replaces the program only; the desk upgrades its database at the next start, after
; copying it to the data directory's "backups" folder.

#define AppName "e-Rial Desk"
#define AppExe "erial-desk.exe"
#define AppWindowExe "erial-desk-window.exe"
#define Bundle AddBackslash(SourcePath) + "..\..\dist\erial-desk"
; The version stamped into the bundle from the Python package (erial_desk.__version__).
#define VersionFile FileOpen(Bundle + "\VERSION")
#define AppVersion Trim(FileRead(VersionFile))
#expr FileClose(VersionFile)

[Setup]
; Never change AppId: it is how Windows knows a newer version upgrades this one.
AppId={{6F1C2E0A-3B57-4C1E-9A8D-2E5B7D40C1A9}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Muscat Municipality
AppComments=The counter terminal of Muscat Municipality's e-Rial prepaid payments
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=erial-desk-{#AppVersion}-setup
SetupIconFile=erial-desk.ico
UninstallDisplayIcon={app}\{#AppWindowExe}
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A desk still open holds its files: ask to close it before replacing them.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
; Inno Setup's Arabic wizard texts are an unofficial translation: to offer them, copy
; Arabic.isl into Inno Setup's Languages folder and add:
; Name: "ar"; MessagesFile: "compiler:Languages\Arabic.isl"

[CustomMessages]
en.SelfTest=e-Rial Desk self-test
en.DataKept=The terminal's data was not removed. It stays in each Windows account's %LOCALAPPDATA%\eRialDesk folder (journal, keys, settings, log and backups). Keep it: it is the office's record. Delete it only when the municipality's IT team says so.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade starts from a clean program folder: no library of the old version lingers.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppWindowExe}"; Parameters: "gui"; WorkingDir: "{app}"
; The self-test prints one line per check: a console window that stays open to be read.
Name: "{group}\{cm:SelfTest}"; Filename: "{cmd}"; Parameters: "/k ""{app}\{#AppExe}"" selftest"; WorkingDir: "{app}"; IconFilename: "{app}\{#AppWindowExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppWindowExe}"; Parameters: "gui"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppWindowExe}"; Parameters: "gui"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent unchecked

[UninstallDelete]
; What the program wrote into its own folder (Python's caches of the migrations), so that the
; folder goes too; never the data folder, which is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox(CustomMessage('DataKept'), mbInformation, MB_OK);
end;
