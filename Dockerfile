# One image per function: docker build --build-arg FUNCTION=sites -t sites .
# By default the function is compiled in the build stage (the dist profile: fat LTO, one
# codegen unit, stripped). With --target prebuilt the binary is taken from dist/<function> in
# the context instead: Cloud Build compiles every function once with a cached target directory,
# and scripts/image builds images on a machine without a Docker engine.
# The runtime is distroless (glibc, CA certificates, no shell), running as non-root.

FROM rust:1.95-bookworm AS build
ARG FUNCTION
RUN test -n "$FUNCTION" || (echo "--build-arg FUNCTION=<catalog name> is required" >&2; exit 1)
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --profile dist --locked -p "$FUNCTION" \
    && cp "target/dist/$FUNCTION" /function

FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
ENV LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/function"]

FROM runtime AS prebuilt
ARG FUNCTION
COPY dist/${FUNCTION} /function

FROM runtime AS compiled
COPY --from=build /function /function
