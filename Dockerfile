# One image per function: docker build --build-arg FUNCTION=sites -t sites .
# By default the function is compiled in the build stage (the dist profile: fat LTO, one
# codegen unit, stripped). With --target prebuilt the binary is taken from dist/<function> in
# the context instead: Cloud Build compiles every function once with a cached target directory,
# and scripts/image builds images on a machine without a Docker engine.
# The runtime is distroless (glibc, CA certificates, no shell), running as non-root.

# The cockpit embeds its web app, built here with Node.js (the rust image's Debian has none
# recent enough); other functions never read it.
FROM node:20-bookworm AS web
WORKDIR /web
COPY functions/cockpit/web/package.json functions/cockpit/web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY functions/cockpit/web .
RUN npm run build -- --outDir /dist --emptyOutDir

FROM rust:1.95-bookworm AS build
ARG FUNCTION
RUN test -n "$FUNCTION" || (echo "--build-arg FUNCTION=<catalog name> is required" >&2; exit 1)
WORKDIR /src
COPY . .
COPY --from=web /dist /cockpit-dist
ENV COCKPIT_DIST=/cockpit-dist
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
