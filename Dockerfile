# syntax=docker/dockerfile:1.7
# The Mesh-terious Warehouse: every domain binary and meshctl in one image.
#   docker build -t mesh-warehouse/app:dev .        (docker-compose builds it as mesh-app)
# Stage 1 builds with cgo (DuckDB) on Debian bookworm; stage 2 is a slim bookworm
# runtime, the same base as the apache/airflow images that mount these binaries.

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
# The whole workspace (.dockerignore trims it); the module and build caches are
# cache mounts, so a source edit rebuilds incrementally.
COPY . .
ENV CGO_ENABLED=1
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    mkdir -p /out/bin /out/repo && \
    go build -trimpath -ldflags="-s -w" -o /out/bin/ ./platform/cmd/meshctl $(for d in domains/*/cmd/*; do echo ./$d; done) && \
    { find domains -name domain.yaml -o -path '*/dags/*.yaml' -o -path '*/dashboards/*.yaml' -o -path '*/contracts/*' -o -path '*/dbt/*'; \
      find metadata -name '*.yaml'; } | tar -cf - -T - | tar -xf - -C /out/repo

FROM debian:12.11-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --create-home mesh && mkdir -p /var/lib/mesh && chown mesh /var/lib/mesh
COPY --from=build /out/ /opt/mesh/
ENV PATH=/opt/mesh/bin:$PATH \
    MESH_BIN_DIR=/opt/mesh/bin \
    MESH_REPO_ROOT=/opt/mesh/repo \
    MESH_DATA_DIR=/var/lib/mesh \
    MESH_DOTENV=off
USER mesh
WORKDIR /var/lib/mesh
ENTRYPOINT []
CMD ["meshctl", "-h"]
