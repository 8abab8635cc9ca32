# Stand-in for the official python:3.11-slim-bookworm image, from the local Debian base
# (deploy/docker/local-images): Debian bookworm's Python 3.11 with venv and CA certificates.
ARG BASE=cablerouter-local/debian:bookworm
FROM ${BASE}
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv ca-certificates; \
    rm -rf /var/lib/apt/lists/*; \
    python3 -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version'
CMD ["python3"]
