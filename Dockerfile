# syntax=docker/dockerfile:1
# One image for every target: `docker run IMAGE --target api|lifecycle|logging|all`.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY shared/ shared/
COPY services/ services/
RUN dotnet publish services/Flame.Po.Host/Flame.Po.Host.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The PO listens on 8000 (docs/compatibility.md#common); the base image's own default port is switched off. Two glibc malloc
# arenas instead of one per thread: with 1,000 analyses the process kept 25–120 MB more native memory (TLS to the
# API server, sockets) without it. Tiered compilation: a method is recompiled optimized once it has run 256 times
# (0x100, the runtime reads hexadecimal), without first waiting for 100 ms without new methods — 1 s in a pod limited to
# one CPU — so the request paths are optimized within the first seconds of work and start-up code run a few dozen
# times is not. README "Performance" has the figures; the benchmarks start the host with this ENV (ImageEnvironment.cs).
ENV ASPNETCORE_HTTP_PORTS="" \
    PO_PORT=8000 \
    MALLOC_ARENA_MAX=2 \
    DOTNET_TC_CallCountingDelayMs=0 \
    DOTNET_TC_CallCountThreshold=0x100 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8000
# Non-root, like the service we replace (UID 10000); pods additionally run with a read-only root filesystem.
USER 10000:10000
ENTRYPOINT ["dotnet", "/app/Flame.Po.Host.dll"]
CMD ["--target", "all"]
