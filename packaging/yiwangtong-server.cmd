@echo off
rem Starts the Yiwangtong central server on Windows with the settings that
rem yiwangtong-server.env holds on Linux; edit the "set" lines below.
rem The data folder is created on first start. Stop the server with Ctrl+C.
setlocal
chcp 65001 >nul
set "YIWANGTONG_ADDR=0.0.0.0:8080"
set "YIWANGTONG_DATA=%~dp0data"
set "YIWANGTONG_CERT="
set "YIWANGTONG_KEY="
set "YIWANGTONG_SESSION_TTL=12h"
"%~dp0yiwangtong-server.exe" serve --addr "%YIWANGTONG_ADDR%" --data "%YIWANGTONG_DATA%" --cert "%YIWANGTONG_CERT%" --key "%YIWANGTONG_KEY%" --session-ttl "%YIWANGTONG_SESSION_TTL%"
