{{/* Resource names: <release>-<chart>, or the release name alone when it already holds the chart name. */}}
{{- define "rlimit-injector.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "rlimit-injector.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "rlimit-injector.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rlimit-injector.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "rlimit-injector.labels" -}}
{{ include "rlimit-injector.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* repository@digest when a digest is given, else repository:tag (tag defaulting to the appVersion). */}}
{{- define "rlimit-injector.imageRef" -}}
{{- if .image.digest -}}
{{- printf "%s@%s" .image.repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository (default .appVersion .image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "rlimit-injector.image" -}}
{{- include "rlimit-injector.imageRef" (dict "image" .Values.image "appVersion" .Chart.AppVersion) -}}
{{- end -}}

{{- define "rlimit-injector.launcherImage" -}}
{{- include "rlimit-injector.imageRef" (dict "image" .Values.launcherImage "appVersion" .Chart.AppVersion) -}}
{{- end -}}

{{/* The launcher pull secrets' names, comma-separated. */}}
{{- define "rlimit-injector.launcherPullSecrets" -}}
{{- $names := list -}}
{{- range .Values.launcherImage.pullSecrets -}}
{{- $names = append $names .name -}}
{{- end -}}
{{- join "," $names -}}
{{- end -}}

{{/* Whether the launcher image check reads the launcher pull secrets from the webhook's namespace. */}}
{{- define "rlimit-injector.readsLauncherPullSecrets" -}}
{{- if and .Values.launcherImage.check.enabled .Values.launcherImage.pullSecrets (ne .Values.launcherImage.pullPolicy "Never") -}}true{{- end -}}
{{- end -}}

{{- define "rlimit-injector.selfSecretName" -}}
{{- default (printf "%s-tls" (include "rlimit-injector.fullname" .)) .Values.certificates.self.secretName -}}
{{- end -}}

{{/* The Secret the serving certificate is mounted from (cert-manager and secret modes). */}}
{{- define "rlimit-injector.mountedSecretName" -}}
{{- if eq .Values.certificates.mode "secret" -}}
{{- .Values.certificates.secret.name -}}
{{- else -}}
{{- printf "%s-tls" (include "rlimit-injector.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Whether the webhook itself writes the caBundle (self and secret modes) rather than cert-manager. */}}
{{- define "rlimit-injector.patchesCaBundle" -}}
{{- if ne .Values.certificates.mode "cert-manager" -}}true{{- end -}}
{{- end -}}

{{/* Whether the webhook calls the API server at all: it then needs its token and a ClusterRole. */}}
{{- define "rlimit-injector.talksToApiServer" -}}
{{- if or (include "rlimit-injector.patchesCaBundle" .) .Values.registry.readPullSecrets .Values.events.enabled -}}true{{- end -}}
{{- end -}}

{{/* registry.mirrors as the flag takes them: REGISTRY=MIRROR pairs, comma-separated. */}}
{{- define "rlimit-injector.registryMirrors" -}}
{{- $pairs := list -}}
{{- range $registry, $mirror := .Values.registry.mirrors -}}
{{- $pairs = append $pairs (printf "%s=%s" $registry $mirror) -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}

{{/* Whether a registry CA bundle is mounted, from a ConfigMap or a Secret. */}}
{{- define "rlimit-injector.registryCa" -}}
{{- if or .Values.registry.ca.configMap .Values.registry.ca.secret -}}true{{- end -}}
{{- end -}}
