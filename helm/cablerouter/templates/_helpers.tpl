{{/*
Chart name, truncated to the 63 characters a label value allows.
*/}}
{{- define "cablerouter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's objects: the release name, plus the chart name unless the release
name already contains it.
*/}}
{{- define "cablerouter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "cablerouter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels every object carries.
*/}}
{{- define "cablerouter.labels" -}}
helm.sh/chart: {{ include "cablerouter.chart" . }}
{{ include "cablerouter.selectorLabels" . }}
app.kubernetes.io/version: {{ include "cablerouter.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/component: router
app.kubernetes.io/part-of: cablerouter
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Labels that select the release's worker pods (never change them: a Deployment's selector is
immutable).
*/}}
{{- define "cablerouter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cablerouter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "cablerouter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cablerouter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image tag: image.tag, or the chart's appVersion.
*/}}
{{- define "cablerouter.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{- define "cablerouter.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "cablerouter.imageTag" .) }}
{{- end }}
{{- end }}

{{/*
Name of the ConfigMap holding the routing directory file.
*/}}
{{- define "cablerouter.directoryConfigMap" -}}
{{- default (printf "%s-directory" (include "cablerouter.fullname" .)) .Values.directory.existingConfigMap }}
{{- end }}

{{/*
Content of the chart-created directory file: directory.content as text, or a map written as
JSON (for a .json key) or YAML.
*/}}
{{- define "cablerouter.directoryContent" -}}
{{- $content := .Values.directory.content }}
{{- if kindIs "string" $content }}
{{- $content }}
{{- else if hasSuffix ".json" (lower .Values.directory.key) }}
{{- toPrettyJson $content }}
{{- else }}
{{- toYaml $content }}
{{- end }}
{{- end }}

{{/*
A config value as the router reads it from the environment. Values files give every number
as a float; whole numbers are written without a fraction or exponent (1048588, not
1.048588e+06).
*/}}
{{- define "cablerouter.settingValue" -}}
{{- $v := . }}
{{- if or (kindIs "float64" $v) (kindIs "float32" $v) }}
{{- if eq (floor $v) (float64 $v) }}{{ int64 $v }}{{ else }}{{ $v }}{{ end }}
{{- else if kindIs "bool" $v }}
{{- ternary "true" "false" $v }}
{{- else }}
{{- toString $v }}
{{- end }}
{{- end }}

{{/*
Checks across values that the schema cannot express; each stops the render with a message.
*/}}
{{- define "cablerouter.validate" -}}
{{- $c := .Values.config }}
{{- if and .Values.keda.enabled .Values.hpa.enabled }}
{{- fail "keda.enabled and hpa.enabled: choose one autoscaler (both would own the Deployment's replica count)" }}
{{- end }}
{{- if and .Values.serviceMonitor.enabled .Values.podMonitor.enabled }}
{{- fail "serviceMonitor.enabled and podMonitor.enabled: choose one (both would scrape every worker twice)" }}
{{- end }}
{{- if and .Values.keda.enabled (gt (int64 .Values.keda.maxReplicaCount) (int64 $c.raw_partitions)) }}
{{- fail (printf "keda.maxReplicaCount (%d) exceeds config.raw_partitions (%d): workers beyond the input partitions get none" (int64 .Values.keda.maxReplicaCount) (int64 $c.raw_partitions)) }}
{{- end }}
{{- if and .Values.keda.enabled (gt (int64 .Values.keda.minReplicaCount) (int64 .Values.keda.maxReplicaCount)) }}
{{- fail "keda.minReplicaCount exceeds keda.maxReplicaCount" }}
{{- end }}
{{- if and .Values.hpa.enabled (gt (int64 .Values.hpa.maxReplicas) (int64 $c.raw_partitions)) }}
{{- fail (printf "hpa.maxReplicas (%d) exceeds config.raw_partitions (%d): workers beyond the input partitions get none" (int64 .Values.hpa.maxReplicas) (int64 $c.raw_partitions)) }}
{{- end }}
{{- if and .Values.hpa.enabled (gt (int64 .Values.hpa.minReplicas) (int64 .Values.hpa.maxReplicas)) }}
{{- fail "hpa.minReplicas exceeds hpa.maxReplicas" }}
{{- end }}
{{- if and .Values.hpa.enabled (not (dig "requests" "cpu" "" .Values.resources)) }}
{{- fail "hpa.enabled needs resources.requests.cpu: CPU utilization is a share of the request" }}
{{- end }}
{{- if le (float64 .Values.terminationGracePeriodSeconds) (float64 $c.shutdown_seconds) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed config.shutdown_seconds (%v), or a graceful stop is killed" .Values.terminationGracePeriodSeconds $c.shutdown_seconds) }}
{{- end }}
{{- if and .Values.directory.enabled $c.directory_file }}
{{- fail "directory.enabled sets CABLEROUTER_DIRECTORY_FILE to the mounted file: leave config.directory_file empty" }}
{{- end }}
{{- if and .Values.directory.enabled (not .Values.directory.existingConfigMap) (not .Values.directory.content) }}
{{- fail "directory.enabled needs directory.content or directory.existingConfigMap" }}
{{- end }}
{{- if and .Values.grafanaDashboards.enabled (not (.Files.Glob "dashboards/*.json")) }}
{{- fail "grafanaDashboards.enabled, but the chart has no dashboards/*.json" }}
{{- end }}
{{- end }}
