# coroot-mcp as a container: a static (musl) binary on an empty base image, running as a
# non-root user, with a HEALTHCHECK on /healthz that the binary answers itself (the image has
# no shell and no curl). Build: docker build -t coroot-mcp .
# Run:   docker run -p 8080:8080 -e COROOT_URL=http://coroot:8080 -e COROOT_MCP_TOKENS=/etc/coroot-mcp/tokens.toml \
#          -v $PWD/tokens.toml:/etc/coroot-mcp/tokens.toml:ro coroot-mcp
# Team setup (token file, stateless replicas, metrics): docs/deploy.md.

# ---- build: Alpine's Rust targets musl, so the binary links statically.
FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev ca-certificates
WORKDIR /src
COPY . .
# The caches keep the registry and the build between image builds; the binary is copied out
# of the cached target directory, which does not persist in the layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p coroot-mcp \
    && cp target/release/coroot-mcp /coroot-mcp

# ---- run: the binary and the CA bundle for https:// Coroot URLs, nothing else.
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /coroot-mcp /coroot-mcp
# 65532: the conventional "nonroot" uid/gid; no passwd file is needed for a numeric user.
USER 65532:65532
ENV COROOT_MCP_HTTP=0.0.0.0:8080 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 CMD ["/coroot-mcp", "healthcheck"]
# SIGTERM drains calls in flight (up to COROOT_MCP_SHUTDOWN_TIMEOUT, 25 s) before exiting.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/coroot-mcp"]
CMD ["serve"]
