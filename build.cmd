@echo off
rem Restore, build and test everything (Windows). Extra arguments go to "dotnet test".
setlocal
cd /d "%~dp0"
if "%CONFIGURATION%"=="" set CONFIGURATION=Release
dotnet build MLLayers.sln -c %CONFIGURATION% || exit /b 1
dotnet test MLLayers.sln -c %CONFIGURATION% --no-build %*
