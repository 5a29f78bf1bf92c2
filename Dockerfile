# One image per function: docker build --build-arg FUNCTION=sites -t sites .
# By default the build stage compiles only the chosen function (the dist profile: fat LTO, one
# codegen unit, stripped). With --build-arg BINARY=prebuilt the binary is taken from dist/<function> in the
# context instead: Cloud Build compiles every function once with a cached target directory,
# and scripts/image builds images on a machine without a Docker engine.
# The runtime stage is distroless (glibc, CA certificates, no shell), running as non-root.
ARG BINARY=compiled

FROM rust:1.95-bookworm AS compiled
ARG FUNCTION
RUN test -n "$FUNCTION" || (echo "--build-arg FUNCTION=<catalog name> is required" >&2; exit 1)
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --profile dist --locked -p "$FUNCTION" \
    && cp "target/dist/$FUNCTION" /function

FROM scratch AS prebuilt
ARG FUNCTION
COPY dist/${FUNCTION} /function

FROM ${BINARY} AS binary

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=binary /function /function
ENV LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/function"]
