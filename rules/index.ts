// Alphabetical. test/registry.test.ts fails if a file in rules/ is missing here.
import type { AnyRule } from '../src/engine/rule.js';
import accountLockoutMissing from './account-lockout-missing.js';
import auditLogMissing from './audit-log-missing.js';
import backgroundWorkInRequest from './background-work-in-request.js';
import backupsMissing from './backups-missing.js';
import composeExposesDatabase from './compose-exposes-database.js';
import corsWildcard from './cors-wildcard.js';
import csrfMissing from './csrf-missing.js';
import dbPoolMissing from './db-pool-missing.js';
import debugModeEnabled from './debug-mode-enabled.js';
import defaultCredentials from './default-credentials.js';
import devDependencyInProduction from './dev-dependency-in-production.js';
import devServerInProduction from './dev-server-in-production.js';
import dockerRunsAsRoot from './docker-runs-as-root.js';
import dockerUnpinnedBase from './docker-unpinned-base.js';
import dotenvCommitted from './dotenv-committed.js';
import emailVerificationMissing from './email-verification-missing.js';
import envConfigMissing from './env-config-missing.js';
import eolRuntime from './eol-runtime.js';
import errorDisclosure from './error-disclosure.js';
import errorTrackingMissing from './error-tracking-missing.js';
import hardcodedSecret from './hardcoded-secret.js';
import healthEndpointMissing from './health-endpoint-missing.js';
import httpsNotEnforced from './https-not-enforced.js';
import inMemoryState from './in-memory-state.js';
import insecureCookies from './insecure-cookies.js';
import jsonFileDatabase from './json-file-database.js';
import jwtMisconfig from './jwt-misconfig.js';
import localFileStorage from './local-file-storage.js';
import loginRateLimitMissing from './login-rate-limit-missing.js';
import metricsMissing from './metrics-missing.js';
import missingMigrations from './missing-migrations.js';
import nPlusOneQuery from './n-plus-one-query.js';
import oversizedModule from './oversized-module.js';
import passwordResetMissing from './password-reset-missing.js';
import plaintextCredentialsAtRest from './plaintext-credentials-at-rest.js';
import printLogging from './print-logging.js';
import requestTimeoutMissing from './request-timeout-missing.js';
import securityHeadersMissing from './security-headers-missing.js';
import sessionFixation from './session-fixation.js';
import sessionTimeoutMissing from './session-timeout-missing.js';
import sqlInjection from './sql-injection.js';
import sqliteInProduction from './sqlite-in-production.js';
import tlsVerifyDisabled from './tls-verify-disabled.js';
import twoFactorMissing from './two-factor-missing.js';
import unpinnedDependencies from './unpinned-dependencies.js';
import unsafeHtml from './unsafe-html.js';
import uploadLimitsMissing from './upload-limits-missing.js';
import vulnerableFramework from './vulnerable-framework.js';
import weakPasswordPolicy from './weak-password-policy.js';
import weakSecretKey from './weak-secret-key.js';

export const rules: readonly AnyRule[] = [
  accountLockoutMissing,
  auditLogMissing,
  backgroundWorkInRequest,
  backupsMissing,
  composeExposesDatabase,
  corsWildcard,
  csrfMissing,
  dbPoolMissing,
  debugModeEnabled,
  defaultCredentials,
  devDependencyInProduction,
  devServerInProduction,
  dockerRunsAsRoot,
  dockerUnpinnedBase,
  dotenvCommitted,
  emailVerificationMissing,
  envConfigMissing,
  eolRuntime,
  errorDisclosure,
  errorTrackingMissing,
  hardcodedSecret,
  healthEndpointMissing,
  httpsNotEnforced,
  inMemoryState,
  insecureCookies,
  jsonFileDatabase,
  jwtMisconfig,
  localFileStorage,
  loginRateLimitMissing,
  metricsMissing,
  missingMigrations,
  nPlusOneQuery,
  oversizedModule,
  passwordResetMissing,
  plaintextCredentialsAtRest,
  printLogging,
  requestTimeoutMissing,
  securityHeadersMissing,
  sessionFixation,
  sessionTimeoutMissing,
  sqlInjection,
  sqliteInProduction,
  tlsVerifyDisabled,
  twoFactorMissing,
  unpinnedDependencies,
  unsafeHtml,
  uploadLimitsMissing,
  vulnerableFramework,
  weakPasswordPolicy,
  weakSecretKey,
];
