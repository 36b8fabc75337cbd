# syntax=docker/dockerfile:1

# Build a static binary: no cgo, so it runs on a distroless image (SQLite
# comes from a pure-Go driver).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags="-s -w" -o /plaudit ./cmd/plaudit
# An empty data folder owned by the distroless "nonroot" user (65532), so a
# fresh volume mounted on /data is writable.
RUN mkdir /data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /plaudit /plaudit
COPY --from=build --chown=65532:65532 /data /data
ENV PLAUDIT_LISTEN=0.0.0.0:8080 \
    PLAUDIT_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/plaudit"]
CMD ["serve"]
