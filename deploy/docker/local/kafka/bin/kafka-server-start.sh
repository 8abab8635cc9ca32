#!/usr/bin/env bash
# kafka-server-start.sh PROPERTIES: the broker, logging INFO to stdout.
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms512m -Xmx512m}" \
KAFKA_LOG4J_OPTS="${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=/etc/kafka/docker/log4j2.properties}" \
  exec /opt/kafka/bin/kafka-run-class.sh kafka.Kafka "$@"
