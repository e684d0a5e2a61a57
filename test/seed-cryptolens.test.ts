/**
 * Seed coverage: the CryptoLens post-audit action plan (shared seed flask-cryptolens-action-plan.md).
 * Every item of the plan that code or config can show is listed with the rule that must find it and
 * where: the replica (fixtures/_apps/flask-cryptolens) must have the finding, the hardened twin
 * (fixtures/_apps/flask-cryptolens-hardened) must have none at all. Items whose rule has not landed
 * yet are skipped with the rule named, and start being checked as soon as the rule is registered.
 * Items code cannot show are listed in docs/seed-coverage.md.
 */
import { describe } from 'node:test';
import { seedCoverage, type SeedItem } from './support/seeds.js';

const items: SeedItem[] = [
  { item: 'P1.1 Session Security: secure session configuration', rule: 'insecure-cookies', file: 'app/__init__.py', at: 'app = Flask(__name__)' },
  { item: 'P1.1 Session Security: regenerate session ID after successful login', rule: 'session-fixation', file: 'app/routes/auth.py', at: 'session["user_id"] = user.id' },
  { item: 'P1.1 Session Security: add session timeout/inactivity logout', rule: 'session-timeout-missing', file: 'app/routes/auth.py', at: '@auth_bp.route("/login"' },
  { item: 'P1.2 Password Reset Validation', rule: 'weak-password-policy', file: 'app/routes/auth.py', at: '@auth_bp.route("/reset-password/<token>"' },
  { item: 'P1.3 Hash API Keys', rule: 'plaintext-credentials-at-rest', file: 'app/models.py', at: 'api_key = db.Column' },
  { item: 'P1.4 Account Lockout', rule: 'account-lockout-missing', file: 'app/routes/auth.py', at: '@auth_bp.route("/login"' },
  { item: 'P1.5 Encrypt TOTP Secrets', rule: 'plaintext-credentials-at-rest', file: 'app/models.py', at: 'totp_secret = db.Column' },
  { item: 'P1.6 Fix CSRF Exemptions', rule: 'csrf-missing', file: 'app/__init__.py', at: 'csrf.exempt(payments_bp)' },
  { item: 'Priority summary: Credential Cleanup', rule: 'hardcoded-secret', file: 'app/config.py', at: 'STRIPE_SECRET_KEY =' },
  { item: 'P2.1 PostgreSQL Migration', rule: 'sqlite-in-production', file: 'app/config.py', at: 'SQLALCHEMY_DATABASE_URI =' },
  { item: 'P2.1 Create Alembic migrations (using migrate_all.py)', rule: 'missing-migrations', file: 'migrate_all.py', at: 'db.create_all()' },
  { item: 'P2.4 Circuit Breakers (NTFY calls unbounded)', rule: 'request-timeout-missing', file: 'app/services/notifier.py', at: 'response = requests.post(' },
  { item: 'P3.1 Split models.py (1417 lines)', rule: 'oversized-module', file: 'app/models.py', at: '"""All CryptoLens models in one module' },
  { item: 'P3.3 Standardize Error Handling (exception text to clients)', rule: 'error-disclosure', file: 'app/routes/api.py', at: 'return jsonify({"error": str(e)}), 500' },
  { item: 'P3.4 Replace Print with Logging', rule: 'print-logging', file: 'app/services/notifier.py', at: 'print(f"NTFY error' },
  { item: 'P4.1 Fix N+1 Queries (pattern matrix)', rule: 'n-plus-one-query', file: 'app/routes/api.py', at: 'symbol = Symbol.query.get(' },
  { item: 'P4.1 Fix N+1 Queries (eligible subscribers)', rule: 'n-plus-one-query', file: 'app/services/auth.py', at: 'subscription = Subscription.query' },
  { item: 'P4.3/P4.4 Async notifications, background job queue', rule: 'background-work-in-request', file: 'app/routes/api.py', at: 'for user in get_eligible_subscribers(' },
  { item: 'P5.1 Structured Logging', rule: 'print-logging', file: 'wsgi.py', projectLevel: true },
  { item: 'P5.2 Metrics & Monitoring', rule: 'metrics-missing', file: 'wsgi.py', projectLevel: true },
  { item: 'P5.3 Health Checks (database connectivity)', rule: 'health-endpoint-missing', file: 'app/routes/api.py', at: '@api_bp.get("/health")' },
  { item: 'P5.4 Error Tracking', rule: 'error-tracking-missing', file: 'wsgi.py', projectLevel: true },
];

describe('seed: CryptoLens action plan', () => {
  seedCoverage('fixtures/_apps/flask-cryptolens', 'fixtures/_apps/flask-cryptolens-hardened', items);
});
