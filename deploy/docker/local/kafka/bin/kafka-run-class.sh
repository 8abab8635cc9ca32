#!/usr/bin/env bash
# kafka-run-class.sh CLASS ARGS...: run a Kafka class from /opt/kafka/libs, as the Kafka
# distribution's script of that name does. KAFKA_HEAP_OPTS and KAFKA_OPTS are honoured;
# tools log warnings and errors to stderr unless KAFKA_LOG4J_OPTS says otherwise.
set -euo pipefail
heap="${KAFKA_HEAP_OPTS:--Xmx256m}"
log4j="${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=/etc/kafka/docker/tools-log4j2.properties}"
# shellcheck disable=SC2086  # option lists are split on purpose
exec java $heap -XX:TieredStopAtLevel=1 -Xshare:auto -Djava.awt.headless=true $log4j ${KAFKA_OPTS:-} \
  -cp '/opt/kafka/libs/*' "$@"
