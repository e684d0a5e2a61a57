import { defineRule } from '../src/engine/rule.js';
import { BACKEND_FRAMEWORKS } from '../src/engine/types.js';
import { anchorFile, backendApps, dependsOn, importsAny, importsOf } from './_shared/project.js';

/** Error trackers and APMs that capture unhandled exceptions, by package (npm and PyPI names). */
const TRACKERS = /^(sentry-sdk|raven|@sentry\/.+|rollbar|bugsnag|@bugsnag\/.+|honeybadger|@honeybadger-io\/.+|newrelic|ddtrace|dd-trace|elastic-apm|elastic-apm-node|airbrake|@airbrake\/.+|appsignal|@appsignal\/.+|opentelemetry-.+|@opentelemetry\/.+|scout-apm|@highlight-run\/.+|logrocket|posthog(-node)?)$/i;
const TRACKER_MODULES = /^(sentry_sdk|raven|@sentry\/|rollbar|bugsnag|@bugsnag\/|honeybadger|newrelic|ddtrace|dd-trace|elasticapm|elastic-apm-node|opentelemetry|@opentelemetry\/)/;

/** The imports that show one, per file. */
const IMPORTS = importsOf('error-tracking-missing.imports', TRACKER_MODULES, /sentry|rollbar|bugsnag|honeybadger|newrelic|ddtrace|dd-trace|elastic|opentelemetry|raven/i);

export default defineRule({
  meta: {
    id: 'error-tracking-missing',
    title: 'No error tracking',
    category: 'operations',
    severity: 'medium',
    confidence: 'medium',
    frameworks: BACKEND_FRAMEWORKS,
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-778'],
    messages: {
      missing: 'No error tracker or APM is set up for app "{app}" (looked for Sentry, Rollbar, Bugsnag, Honeybadger, New Relic, Datadog, Elastic APM, OpenTelemetry in dependencies and imports).',
    },
    docs: {
      why:
        'Without an error tracker, an exception in production is a line in a log nobody reads: nobody is told, the stack trace and request context are lost when logs rotate, and the first report comes from a user. Trackers group errors, alert on new ones and show the release that introduced them.',
      fix:
        'Install one and initialise it at start-up from an environment variable: `sentry_sdk.init(dsn=os.environ["SENTRY_DSN"], traces_sample_rate=0.1)` (Flask/Django/FastAPI integrations are automatic), `Sentry.init({ dsn: process.env.SENTRY_DSN })` before the Express app is created, or an OpenTelemetry exporter to your APM.',
      references: ['https://docs.sentry.io/platforms/python/', 'https://docs.sentry.io/platforms/javascript/guides/express/', 'https://opentelemetry.io/docs/'],
    },
  },
  check: {
    project(ctx) {
      for (const app of backendApps(ctx.project)) {
        if (dependsOn(app, TRACKERS)) continue;
        if (importsAny(ctx.project, app, IMPORTS)) continue;
        const file = anchorFile(app);
        if (file) ctx.report({ messageId: 'missing', data: { app: app.name }, file });
      }
    },
  },
});
