@echo off
rem Restore, build and test everything (Windows). Extra arguments go to "dotnet test". --long runs the fuzz tests with
rem ten times as many mutations (MLLAYERS_FUZZ_LONG=1; not passed on to dotnet).
setlocal EnableDelayedExpansion
cd /d "%~dp0"
if "%CONFIGURATION%"=="" set CONFIGURATION=Release
set ARGS=
:next
if "%~1"=="" goto run
if /i "%~1"=="--long" (
  set MLLAYERS_FUZZ_LONG=1
) else (
  set ARGS=!ARGS! %1
)
shift
goto next
:run
dotnet build MLLayers.sln -c %CONFIGURATION% || exit /b 1
dotnet test MLLayers.sln -c %CONFIGURATION% --no-build %ARGS%
