{{- define "mock.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mock.fullname" -}}
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

{{- define "mock.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mock.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mock.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "mock.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The metrics pages every monitor scrapes: name and path on the HTTP port. */}}
{{- define "mock.pages" -}}
- {name: mock, path: /metrics}
- {name: vllm, path: /vllm/metrics}
- {name: sglang, path: /sglang/metrics}
- {name: trtllm, path: /trtllm/metrics}
- {name: dynamo-frontend, path: /dynamo_frontend/metrics}
- {name: dynamo-prefill, path: /dynamo_component/prefill/metrics}
- {name: dynamo-decode, path: /dynamo_component/decode/metrics}
{{- end }}

{{/* One monitor endpoint list (ServiceMonitor or PodMonitor share the shape). */}}
{{- define "mock.monitorEndpoints" -}}
{{- $m := .monitor }}
{{- range (include "mock.pages" .root | fromYamlArray) }}
- port: http
  path: {{ .path }}
  interval: {{ $m.interval }}
  scrapeTimeout: {{ $m.scrapeTimeout }}
  relabelings:
    - targetLabel: page
      replacement: {{ .name }}
{{- end }}
{{- range $i, $port := list "dcgm1" "dcgm2" }}
- port: {{ $port }}
  path: /metrics
  interval: {{ $m.interval }}
  scrapeTimeout: {{ $m.scrapeTimeout }}
  relabelings:
    - targetLabel: page
      replacement: {{ $port }}
{{- end }}
{{- end }}
