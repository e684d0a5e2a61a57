/**
 * Seed coverage: the Secure File Vault's "Production Readiness Checklist" (shared seed
 * flask-file-vault-readiness.md). Every item code or config can show is listed with the rule that must
 * find it and where: the replica (fixtures/_apps/flask-file-vault) must have the finding, the hardened
 * twin (fixtures/_apps/flask-file-vault-hardened) none at all. Items whose rule has not landed yet are
 * skipped with the rule named. Items code cannot show are listed in docs/seed-coverage.md.
 */
import { describe } from 'node:test';
import { seedCoverage, type SeedItem } from './support/seeds.js';

const items: SeedItem[] = [
  { item: 'Debug Mode Enabled (app.py:646)', rule: 'debug-mode-enabled', file: 'app.py', at: "app.run(debug=True, host='127.0.0.1', port=5000)" },
  { item: 'CORS Allows All Origins (app.py:40)', rule: 'cors-wildcard', file: 'app.py', at: 'CORS(app, resources=' },
  { item: 'SECRET_KEY Generated Randomly Each Time (app.py:35)', rule: 'weak-secret-key', file: 'app.py', at: "app.config['SECRET_KEY'] = os.urandom(32).hex()" },
  { item: 'Default Admin Credentials (auth.py:228-229)', rule: 'default-credentials', file: 'auth.py', at: "password='admin123'," },
  { item: 'No Rate Limiting', rule: 'login-rate-limit-missing', file: 'app.py', at: "@app.route('/api/login', methods=['POST'])" },
  { item: 'In-Memory File Metadata (app.py:52)', rule: 'in-memory-state', file: 'app.py', at: 'file_metadata: Dict[str, Dict] = {}' },
  { item: 'In-Memory Owner Secrets (encryption.py:235)', rule: 'in-memory-state', file: 'encryption.py', at: 'owner_secrets: Dict[str, bytes] = {}' },
  { item: 'JSON File Storage (auth.py)', rule: 'json-file-database', file: 'auth.py', at: "with open(USERS_FILE, 'w') as f:" },
  { item: 'JSON File Storage (blockchain.py)', rule: 'json-file-database', file: 'blockchain.py', at: "with open(self.path, 'w') as f:" },
  { item: 'Local File System Storage (uploads/)', rule: 'local-file-storage', file: 'app.py', at: 'file.save(temp_path)' },
  { item: 'Hardcoded Configuration / No Production Configuration', rule: 'env-config-missing', file: 'app.py', at: "app.config['MAX_CONTENT_LENGTH'] = 50 * 1024 * 1024" },
  { item: 'Print Statements Everywhere', rule: 'print-logging', file: 'app.py', at: 'print(f"New user registered: {username}")' },
  { item: 'Print Statements Everywhere (no logging configured)', rule: 'print-logging', file: 'app.py', projectLevel: true },
  { item: 'No Error Tracking', rule: 'error-tracking-missing', file: 'app.py', projectLevel: true },
  { item: 'No Performance Monitoring', rule: 'metrics-missing', file: 'app.py', projectLevel: true },
  { item: 'Security Enhancements: Add HTTPS enforcement', rule: 'https-not-enforced', file: 'app.py', at: 'app = Flask(__name__)' },
  { item: 'Security Enhancements: Implement session timeout', rule: 'session-timeout-missing', file: 'app.py', at: "@app.route('/api/login'" },
  { item: 'Security Enhancements: Implement 2FA', rule: 'two-factor-missing', file: 'app.py', at: "@app.route('/api/login', methods=['POST'])" },
  { item: 'Deployment checklist: Set up monitoring (uptime)', rule: 'health-endpoint-missing', file: 'app.py', projectLevel: true },
];

describe('seed: file vault production readiness', () => {
  seedCoverage('fixtures/_apps/flask-file-vault', 'fixtures/_apps/flask-file-vault-hardened', items);
});
