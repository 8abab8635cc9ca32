# Stand-in for the official rust:<version>-slim-bookworm image, from the local Debian base
# (deploy/docker/local-images): the same recipe (rustup's minimal profile in /usr/local,
# gcc and libc headers for linking), with the rustup-init binary checked against its pinned
# SHA-256. Like a site's own base image, it also trusts the CA certificates this machine
# adds to its store (/usr/local/share/ca-certificates, copied into the build context's ca/
# folder), so that rustup, cargo and pip work behind a TLS-inspecting proxy.
ARG BASE=cablerouter-local/debian:bookworm
FROM ${BASE}
ARG RUST_VERSION=1.95.0
ARG RUSTUP_VERSION=1.28.2
ARG RUSTUP_SHA256=20a06e644b0d9bd2fbdbfd52d42540bdde820ea7df86e92e533c073da0cdd43c
COPY ca/ /usr/local/share/ca-certificates/
ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl gcc libc6-dev; \
    rm -rf /var/lib/apt/lists/*; \
    update-ca-certificates; \
    curl -fsSLo /tmp/rustup-init "https://static.rust-lang.org/rustup/archive/${RUSTUP_VERSION}/x86_64-unknown-linux-gnu/rustup-init"; \
    echo "${RUSTUP_SHA256}  /tmp/rustup-init" | sha256sum -c -; \
    chmod +x /tmp/rustup-init; \
    /tmp/rustup-init -y -q --no-modify-path --profile minimal --default-toolchain "${RUST_VERSION}"; \
    rm /tmp/rustup-init; \
    chmod -R a+w "$RUSTUP_HOME" "$CARGO_HOME"; \
    rustc --version; cargo --version
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt
