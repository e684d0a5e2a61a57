/**
 * Seed coverage: the franchise dashboard's "Production-Level Features & Security Checklist" (shared
 * seed react-flask-franchise-app-checklist.md), a React front end and a Flask API. Every item code or
 * config can show is listed with the rule that must find it and where: the replica
 * (fixtures/_apps/react-flask-franchise) must have the finding, the hardened twin
 * (fixtures/_apps/react-flask-franchise-hardened) none at all. Items whose rule has not landed yet are
 * skipped with the rule named. Items code cannot show are listed in docs/seed-coverage.md.
 */
import { describe } from 'node:test';
import { seedCoverage, type SeedItem } from './support/seeds.js';

const items: SeedItem[] = [
  { item: '1. Rate Limiting (login)', rule: 'login-rate-limit-missing', file: 'backend/routes/auth.py', at: '@auth_bp.post("/login")' },
  { item: '1. Rate Limiting (register)', rule: 'login-rate-limit-missing', file: 'backend/routes/auth.py', at: '@auth_bp.post("/register")' },
  { item: '1. Rate Limiting (password reset)', rule: 'login-rate-limit-missing', file: 'backend/routes/auth.py', at: '@auth_bp.post("/forgot-password")' },
  { item: '1. Rate Limiting (brute force: no lockout either)', rule: 'account-lockout-missing', file: 'backend/routes/auth.py', at: '@auth_bp.post("/login")' },
  { item: '5. XSS Prevention (user-supplied HTML without DOMPurify)', rule: 'unsafe-html', file: 'frontend/src/components/AnnouncementCard.tsx', at: 'dangerouslySetInnerHTML' },
  { item: '6. CSRF Protection', rule: 'csrf-missing', file: 'backend/app.py', at: 'app = Flask(__name__)' },
  { item: '7. Content Security Policy (CSP) Headers', rule: 'security-headers-missing', file: 'backend/app.py', at: 'app = Flask(__name__)' },
  { item: '8. Email Verification for New Accounts', rule: 'email-verification-missing', file: 'backend/routes/auth.py', at: '@auth_bp.post("/register")' },
  { item: '9. Two-Factor Authentication (2FA)', rule: 'two-factor-missing', file: 'backend/routes/auth.py', at: '@auth_bp.post("/login")' },
  { item: '10. Session Management: token expiration (currently 30d+)', rule: 'insecure-cookies', file: 'backend/config.py', at: 'PERMANENT_SESSION_LIFETIME = timedelta(days=45)' },
  { item: '12. User Activity Logging', rule: 'audit-log-missing', file: 'backend/routes/auth.py', at: '@auth_bp.post("/login")' },
  { item: '13. Environment Variables', rule: 'env-config-missing' },
  { item: '15. Monitoring & Logging (Sentry)', rule: 'error-tracking-missing', file: 'backend/app.py', projectLevel: true },
  { item: '15. Monitoring & Logging (performance metrics)', rule: 'metrics-missing', file: 'backend/app.py', projectLevel: true },
  { item: '15. Monitoring & Logging (logging never configured)', rule: 'print-logging', file: 'backend/app.py', projectLevel: true },
  { item: '16. Error Handling (str(e) to the client)', rule: 'error-disclosure', file: 'backend/routes/stores.py', at: 'return {"status": "error", "message": str(e)}, 500' },
  { item: '16. Error Handling (exception in an f-string)', rule: 'error-disclosure', file: 'backend/routes/stores.py', at: 'message=f"Could not save sales: {e}"' },
];

describe('seed: franchise app production checklist', () => {
  seedCoverage('fixtures/_apps/react-flask-franchise', 'fixtures/_apps/react-flask-franchise-hardened', items);
});
