# Stand-in for the official apache/kafka image, from the local Debian base
# (deploy/docker/local-images): the Kafka jars deploy/kafka/pom.xml pins (the ones
# deploy/kafka/local-kafka runs), Debian's Java 17 runtime, and the official image's
# interface: configured by KAFKA_* environment variables and CLUSTER_ID, /opt/kafka/bin
# tools, data in /var/lib/kafka/data, user appuser.
# Build context: a folder holding libs/ (the jars) and this folder's kafka/ files.
ARG BASE=cablerouter-local/debian:bookworm
FROM ${BASE}
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless; \
    rm -rf /var/lib/apt/lists/*; \
    useradd --uid 1000 --create-home --shell /bin/bash appuser; \
    mkdir -p /opt/kafka /var/lib/kafka/data /etc/kafka/docker; \
    chown -R appuser:root /var/lib/kafka /etc/kafka; \
    java -version
COPY libs/ /opt/kafka/libs/
COPY kafka/ /opt/kafka/docker/
RUN set -eux; \
    mv /opt/kafka/docker/bin /opt/kafka/bin; \
    mv /opt/kafka/docker/run /opt/kafka/docker/*.properties /etc/kafka/docker/; \
    rmdir /opt/kafka/docker; \
    chmod 0755 /opt/kafka/bin/* /etc/kafka/docker/run
USER appuser
EXPOSE 9092
VOLUME ["/var/lib/kafka/data"]
CMD ["/etc/kafka/docker/run"]
