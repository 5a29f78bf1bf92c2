# One image per function: docker build --build-arg FUNCTION=sites -t sites .
# The build stage compiles only the chosen function (release profile: thin LTO, stripped);
# the runtime stage is distroless (glibc, CA certificates, no shell), running as non-root.
FROM rust:1.95-bookworm AS build
ARG FUNCTION
RUN test -n "$FUNCTION" || (echo "--build-arg FUNCTION=<catalog name> is required" >&2; exit 1)
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p "$FUNCTION" \
    && cp "target/release/$FUNCTION" /function

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /function /function
ENV LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/function"]
