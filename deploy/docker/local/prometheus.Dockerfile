# Stand-in for the official prom/prometheus image, from the local Debian base
# (deploy/docker/local-images): Debian's prometheus package, laid out as the official image
# is (/bin/prometheus as entry point, data in /prometheus, user nobody, wget for health
# checks).
ARG BASE=cablerouter-local/debian:bookworm
FROM ${BASE}
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus wget; \
    rm -rf /var/lib/apt/lists/*; \
    mkdir -p /prometheus; chown nobody:nogroup /prometheus; \
    /bin/prometheus --version
USER nobody
WORKDIR /prometheus
EXPOSE 9090
VOLUME ["/prometheus"]
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
