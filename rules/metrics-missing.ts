import { defineRule } from '../src/engine/rule.js';
import { BACKEND_FRAMEWORKS } from '../src/engine/types.js';
import { anchorFile, backendApps, dependsOn, importsAny, importsOf } from './_shared/project.js';

const METRICS = /^(prometheus-client|prometheus_client|prometheus-flask-exporter|django-prometheus|starlette-exporter|prometheus-fastapi-instrumentator|statsd|datadog|ddtrace|dd-trace|hot-shots|node-statsd|prom-client|express-prom-bundle|@willsoto\/nestjs-prometheus|newrelic|opentelemetry-.+|@opentelemetry\/.+|elastic-apm|elastic-apm-node|appsignal|@appsignal\/.+|scout-apm)$/i;
const METRICS_MODULES = /^(prometheus_client|prometheus_flask_exporter|django_prometheus|starlette_exporter|prometheus_fastapi_instrumentator|statsd|datadog|ddtrace|prom-client|express-prom-bundle|hot-shots|opentelemetry|@opentelemetry\/)/;

/** The imports that show one, per file. */
const IMPORTS = importsOf('metrics-missing.imports', METRICS_MODULES, /prometheus|statsd|datadog|ddtrace|prom-client|opentelemetry|hot-shots/i);

export default defineRule({
  meta: {
    id: 'metrics-missing',
    title: 'No application metrics',
    category: 'operations',
    severity: 'info',
    confidence: 'medium',
    frameworks: BACKEND_FRAMEWORKS,
    fixable: 'none',
    effort: 'hours',
    messages: {
      missing: 'App "{app}" exports no metrics (looked for Prometheus clients and exporters, StatsD, Datadog, New Relic, OpenTelemetry in dependencies and imports).',
    },
    docs: {
      why: 'Without request rates, latencies and error counts there is nothing to alert on before users complain, and no way to see whether a deploy made things slower. Logs and error tracking say what broke; metrics say that something is breaking.',
      fix: 'Expose RED metrics (rate, errors, duration) per route: prometheus-flask-exporter / django-prometheus / prometheus-fastapi-instrumentator, prom-client with express-prom-bundle, or an OpenTelemetry meter exporting to your monitoring system.',
      references: ['https://prometheus.io/docs/practices/instrumentation/', 'https://github.com/siimon/prom-client', 'https://opentelemetry.io/docs/concepts/signals/metrics/'],
    },
  },
  check: {
    project(ctx) {
      for (const app of backendApps(ctx.project)) {
        if (dependsOn(app, METRICS)) continue;
        if (importsAny(ctx.project, app, IMPORTS)) continue;
        const file = anchorFile(app);
        if (file) ctx.report({ messageId: 'missing', data: { app: app.name }, file });
      }
    },
  },
});
