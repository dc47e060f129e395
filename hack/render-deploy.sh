#!/usr/bin/env bash
# Renders deploy/rlimit-injector.yaml from charts/rlimit-injector with its default values, with the same code the
# freshness test (DeployManifestsTest) compares against. No helm binary needed: helm-java renders it.
#   bash hack/render-deploy.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

classpath=target/render-deploy.classpath
mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath"
java -Drlimit-injector.project-dir="$PWD" -cp "target/test-classes:target/classes:$(cat "$classpath")" \
  io.rlimitinjector.install.DeployManifests
