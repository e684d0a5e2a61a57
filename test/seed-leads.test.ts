/**
 * Seed coverage: the leads app's "Urgent Upgrades & Additions" list (shared seed
 * flask-leads-app-urgent-upgrades.md). Every item code or config can show is listed with the rule that
 * must find it and where: the replica (fixtures/_apps/flask-leads) must have the finding, the hardened
 * twin (fixtures/_apps/flask-leads-hardened) none at all. Items whose rule has not landed yet are skipped
 * with the rule named, and are checked as soon as the rule is registered. Items code cannot show are
 * listed in docs/seed-coverage.md.
 */
import { describe } from 'node:test';
import { seedCoverage, type SeedItem } from './support/seeds.js';

const items: SeedItem[] = [
  { item: '1. CSRF Protection', rule: 'csrf-missing', file: 'app.py', at: 'app = Flask(__name__)' },
  { item: '2. Password Reset Functionality', rule: 'password-reset-missing', file: 'routes/auth.py', at: '@auth_bp.route("/login"' },
  { item: '3. Database Migrations (Flask-Migrate)', rule: 'missing-migrations', file: 'app.py', at: 'db.create_all()' },
  { item: '4. PostgreSQL Instead of SQLite', rule: 'sqlite-in-production', file: 'config.py', at: 'SQLALCHEMY_DATABASE_URI =' },
  { item: '5. Account Lockout After Failed Logins', rule: 'account-lockout-missing', file: 'routes/auth.py', at: '@auth_bp.route("/login"' },
  { item: '6. Health Check Endpoint', rule: 'health-endpoint-missing', file: 'app.py', projectLevel: true },
  { item: '7. Database Backups', rule: 'backups-missing', file: 'docker-compose.yml', at: '  db:' },
  { item: '8. Background Job Processing (bulk sends block the request)', rule: 'background-work-in-request', file: 'routes/campaigns.py', at: 'for lead in leads:' },
  { item: '9. Error Tracking (Sentry)', rule: 'error-tracking-missing', file: 'app.py', projectLevel: true },
  { item: '10. Stronger SECRET_KEY Validation', rule: 'weak-secret-key', file: 'config.py', at: 'SECRET_KEY =' },
  { item: '11. Email Verification', rule: 'email-verification-missing', file: 'routes/auth.py', at: '@auth_bp.route("/register"' },
  { item: '12. Audit Logging', rule: 'audit-log-missing', file: 'routes/auth.py', at: '@auth_bp.route("/login"' },
  { item: '13. Two-Factor Authentication (2FA)', rule: 'two-factor-missing', file: 'routes/auth.py', at: '@auth_bp.route("/login"' },
  { item: '15. Database Query Optimization (N+1)', rule: 'n-plus-one-query', file: 'routes/leads.py', at: 'tags = Tag.query' },
  { item: 'Checklist: HTTPS/SSL enabled', rule: 'https-not-enforced', file: 'app.py', at: 'app = Flask(__name__)' },
  { item: 'Checklist: Logging configured', rule: 'print-logging', file: 'app.py', projectLevel: true },
  { item: 'Checklist: Monitoring set up', rule: 'metrics-missing', file: 'app.py', projectLevel: true },
];

describe('seed: leads app urgent upgrades', () => {
  seedCoverage('fixtures/_apps/flask-leads', 'fixtures/_apps/flask-leads-hardened', items);
});
