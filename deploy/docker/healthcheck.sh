#!/bin/bash
# Docker HEALTHCHECK of the Loss Doctor image: healthy when GET /health/ready answers 200, i.e. the
# Kafka Streams application is RUNNING. Uses bash's /dev/tcp, so the image needs no curl or wget.
# Exit 0: healthy; 1: unhealthy (not listening, no answer within 5 s, or any status but 200).
port="${LOSSDOCTOR_HTTP_PORT:-8080}"
path="${1:-/health/ready}"
{ exec 3<>"/dev/tcp/127.0.0.1/${port}"; } 2>/dev/null || exit 1
printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 5 status <&3 || exit 1
exec 3<&- 3>&-
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) exit 1 ;;
esac
