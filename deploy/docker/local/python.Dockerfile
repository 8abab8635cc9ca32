# Stand-in for the official python:3.11-slim-bookworm image, from the local Debian base
# (deploy/docker/local-images): Debian bookworm's Python 3.11 with venv and CA certificates.
# Like a site's own base image, it also trusts the CA certificates this machine adds to its
# store (/usr/local/share/ca-certificates, copied into the build context's ca/ folder), so
# that pip works behind a TLS-inspecting proxy; pip is told to use that store.
ARG BASE=cablerouter-local/debian:bookworm
FROM ${BASE}
COPY ca/ /usr/local/share/ca-certificates/
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv ca-certificates; \
    rm -rf /var/lib/apt/lists/*; \
    update-ca-certificates; \
    python3 -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version'
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
