/**
 * Seed coverage: the reconciliation app's "Critical Production Fixes Required" list (shared seed
 * flask-reconciliation-critical-fixes.md). Every item code or config can show is listed with the rule
 * that must find it and where: the replica (fixtures/_apps/flask-reconciliation) must have the finding,
 * the hardened twin (fixtures/_apps/flask-reconciliation-hardened) none at all. Items whose rule has not
 * landed yet are skipped with the rule named. Items code cannot show are listed in docs/seed-coverage.md.
 */
import { describe } from 'node:test';
import { seedCoverage, type SeedItem } from './support/seeds.js';

const items: SeedItem[] = [
  { item: 'CRITICAL 1. Cookie Security Settings (access cookie at login)', rule: 'insecure-cookies', file: 'backend/app.py', at: 'response.set_cookie(  # access token, 30 minutes' },
  { item: 'CRITICAL 1. Cookie Security Settings (refresh cookie)', rule: 'insecure-cookies', file: 'backend/app.py', at: 'response.set_cookie(  # refresh token, 7 days' },
  { item: 'CRITICAL 2. Secret Key Management', rule: 'weak-secret-key', file: 'backend/app.py', at: "auth_manager = AuthManager(database, os.getenv('SECRET_KEY'" },
  { item: 'CRITICAL 3. Debug Mode', rule: 'debug-mode-enabled', file: 'backend/app.py', at: 'app.run(debug=True, port=5000)' },
  { item: 'HIGH 1. Database Migration (SQLite -> PostgreSQL)', rule: 'sqlite-in-production', file: 'backend/database.py', at: 'conn = sqlite3.connect(DB_PATH)' },
  { item: 'HIGH 2. Session Storage (in-memory)', rule: 'in-memory-state', file: 'backend/app.py', at: 'reconciliation_sessions = {}' },
  { item: 'HIGH 3. HTTPS Enforcement', rule: 'https-not-enforced', file: 'backend/app.py', at: 'app = Flask(__name__)' },
  { item: 'MEDIUM 1. File Upload Validation (size limits)', rule: 'upload-limits-missing', file: 'backend/app.py', at: "@app.route('/api/reconcile', methods=['POST'])" },
  { item: 'MEDIUM 2. Error Information Disclosure', rule: 'error-disclosure', file: 'backend/app.py', at: "return jsonify({'error': str(exc), 'trace': traceback.format_exc()}), 500" },
  { item: 'MEDIUM 3. Logging Configuration (print statements)', rule: 'print-logging', file: 'backend/app.py', at: 'print(f"Unhandled error: {exc}")' },
  { item: 'MEDIUM 3. Logging Configuration (never configured)', rule: 'print-logging', file: 'backend/app.py', projectLevel: true },
  { item: 'Environment Variables (Required)', rule: 'env-config-missing' },
  { item: 'Pre-deployment 5. Set up monitoring and alerting (errors)', rule: 'error-tracking-missing', file: 'backend/app.py', projectLevel: true },
  { item: 'Pre-deployment 5. Set up monitoring and alerting (metrics)', rule: 'metrics-missing', file: 'backend/app.py', projectLevel: true },
  { item: 'Post-deployment 4. Test rate limiting is active', rule: 'login-rate-limit-missing', file: 'backend/app.py', at: "@app.route('/api/auth/login', methods=['POST'])" },
  { item: 'Post-deployment 8. Verify audit logging is working', rule: 'audit-log-missing', file: 'backend/app.py', at: "@app.route('/api/auth/login'" },
];

describe('seed: reconciliation critical production fixes', () => {
  seedCoverage('fixtures/_apps/flask-reconciliation', 'fixtures/_apps/flask-reconciliation-hardened', items);
});
